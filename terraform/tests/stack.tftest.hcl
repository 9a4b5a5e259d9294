# The whole stack planned with the documented SSM-secret configuration (terraform.tfvars.example),
# against a mocked AWS provider: what API Gateway, IAM, CloudWatch and Lambda would be given.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  aws_region                = "eu-west-1"
  environment               = "prod"
  jwt_secret_parameter_name = "/chatbot/prod/jwt-secret"
  jwt_issuer                = "https://auth.example.com/"
  jwt_audience              = "chatbot"
  allowed_origins           = ["https://chat.example.com"]
  alarm_email_addresses     = ["oncall@example.com"]
  artifacts_dir             = "tests/artifacts"
}

run "secret_configuration" {
  command = plan

  # --- API Gateway: routes, integrations, authorizer -------------------------------------------

  assert {
    condition     = toset(keys(module.api.routes)) == toset(["$connect", "$disconnect", "$default", "chat_message", "cancel", "ping", "history"])
    error_message = "The API must have exactly the routes $connect, $disconnect, $default, chat_message, cancel, ping and history; it has ${jsonencode(keys(module.api.routes))}."
  }

  assert {
    condition     = alltrue([for key, route in module.api.routes : route.target == "integrations/${module.api.integrations[key].id}"])
    error_message = "Every route must target its own integration."
  }

  assert {
    condition = alltrue([
      for key, integration in module.api.integrations :
      integration.type == "AWS_PROXY" && integration.uri == module.functions[local.route_functions[key]].invoke_arn
    ])
    error_message = "Every integration must be an AWS_PROXY call of its route's function."
  }

  assert {
    condition     = module.api.routes["$connect"].authorization_type == "CUSTOM" && module.api.routes["$connect"].authorizer_id == module.api.authorizer_id
    error_message = "$connect must be guarded by the JWT authorizer."
  }

  assert {
    condition     = alltrue([for key, route in module.api.routes : route.authorization_type == "NONE" && route.authorizer_id == null if key != "$connect"])
    error_message = "Only $connect is authorized (the other routes run on an authorized connection)."
  }

  assert {
    condition = (
      module.api.authorizer.type == "REQUEST" &&
      module.api.authorizer.uri == module.functions["authorizer"].invoke_arn &&
      module.api.authorizer.identity_sources == toset(["route.request.querystring.token"])
    )
    error_message = "The authorizer must be a REQUEST authorizer calling the authorizer function with the token query parameter."
  }

  assert {
    condition = alltrue([
      for name, fn in local.functions : module.functions[name].invoke_source_arn == (
        name == "respond" ? null :
        name == "authorizer" ? "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/authorizers/auth01" : "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*"
      )
    ])
    error_message = "API Gateway may invoke the route functions from this API only, the authorizer only as this API's authorizer, and respond not at all."
  }

  assert {
    condition     = output.management_endpoint == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod"
    error_message = "The management endpoint must be this API's stage in the deployment Region: ${output.management_endpoint}."
  }

  # --- Stage: throttling backstop and logging -----------------------------------------------------

  assert {
    condition = (
      module.api.default_route_settings.throttling_burst_limit == 500 &&
      module.api.default_route_settings.throttling_rate_limit == 100
    )
    error_message = "The stage's default route throttling must come from throttling_burst_limit (500) and throttling_rate_limit (100)."
  }

  assert {
    condition     = module.api.default_route_settings.data_trace_enabled == false && module.api.default_route_settings.logging_level == "ERROR"
    error_message = "Execution logging must be at execution_logging_level (ERROR) and never log full messages (data trace)."
  }

  # --- Log groups and their retention -------------------------------------------------------------

  assert {
    condition     = alltrue([for name, fn in local.functions : module.functions[name].log_retention_days == 365])
    error_message = "Every function's log group must keep log_retention_days (365)."
  }

  assert {
    condition     = module.api.log_retention_days == { access = 365, execution = 365 }
    error_message = "The API's access and execution log groups must keep log_retention_days (365)."
  }

  assert {
    condition     = output.log_group_names.api_execution == "API-Gateway-Execution-Logs_a1b2c3d4e5/prod"
    error_message = "The execution log group must be the one API Gateway writes to (API-Gateway-Execution-Logs_<api id>/<stage>), created by Terraform: ${output.log_group_names.api_execution}."
  }

  # --- Each function's policy (the DynamoDB grants are compared with the manifest by jest) -------

  assert {
    condition = alltrue([
      for name, fn in local.functions : contains(jsondecode(module.functions[name].policy).Statement, {
        Sid      = "WriteOwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${name}:*"]
      })
    ])
    error_message = "Every function may write to its own log group, and only there."
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement : [
          for action in statement.Action : !strcontains(action, "*")
        ]
      ]
    ]))
    error_message = "No statement may grant a wildcard action."
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement :
        statement.Sid == "XRayTracing" || !contains(statement.Resource, "*")
      ]
    ]))
    error_message = "Only X-Ray (which has no resource-level permissions) may be granted on resource *."
  }

  assert {
    condition = alltrue([
      for name, fn in local.functions : anytrue([
        for statement in jsondecode(module.functions[name].policy).Statement : contains(statement.Action, "execute-api:ManageConnections")
      ]) == fn.manages_connections
    ])
    error_message = "Exactly the functions that post to clients (message, respond, cancel, ping, history, default) may manage connections."
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement : [
          for resource in statement.Resource :
          can(regex("^arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/(POST|DELETE|GET)/@connections/\\*$", resource))
        ] if contains(statement.Action, "execute-api:ManageConnections")
      ]
    ]))
    error_message = "ManageConnections must be limited to this API's stage @connections."
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["authorizer"].policy).Statement : statement if statement.Sid == "ReadJwtSecret"
      ] == [{
        Sid      = "ReadJwtSecret"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter"]
        Resource = ["arn:aws:ssm:eu-west-1:123456789012:parameter/chatbot/prod/jwt-secret"]
    }]
    error_message = "The authorizer must read its one SSM parameter, in this account and Region."
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement : [
          for action in statement.Action : !startswith(action, "ssm:") && !startswith(action, "kms:")
        ]
      ] if name != "authorizer"
    ]))
    error_message = "Only the authorizer may read SSM parameters or use KMS."
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(module.functions["authorizer"].policy).Statement : !contains(statement.Action, "kms:Decrypt")
    ])
    error_message = "Without jwt_secret_kms_key_arn (the AWS managed aws/ssm key) the authorizer needs no kms:Decrypt."
  }

  # --- Alarms: the dimensions they read and whom they notify -------------------------------------

  assert {
    condition = alltrue([
      for alarm in ["handler-errors", "delivery-failures", "authorizer-refused-spike", "rate-limited-spike", "flooding-connections-closed"] :
      module.monitoring.alarm_metrics["prod-websocket-${alarm}"][0].namespace == "ChatbotWebSocket" &&
      module.monitoring.alarm_metrics["prod-websocket-${alarm}"][0].dimensions == tomap({ service = "chatbot-websocket", environment = "prod" })
    ])
    error_message = "The project alarms must read the ChatbotWebSocket namespace with exactly the service and environment dimensions."
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for kind in ["throttles", "duration"] :
        module.monitoring.alarm_metrics["prod-websocket-lambda-${kind}-${name}"][0].dimensions == tomap({ FunctionName = "prod-websocket-${name}" })
      ]
    ]))
    error_message = "Every function must have throttles and duration alarms on its own FunctionName."
  }

  assert {
    condition = alltrue([
      for name, fn in local.functions :
      module.monitoring.alarm_metrics["prod-websocket-lambda-errors-${name}"][0].dimensions == tomap({ FunctionName = "prod-websocket-${name}" }) if name != "authorizer"
    ])
    error_message = "Every function but the authorizer (route functions and respond) must have a Lambda Errors alarm on its own FunctionName."
  }

  assert {
    condition     = !contains(keys(module.monitoring.alarm_metrics), "prod-websocket-lambda-errors-authorizer")
    error_message = "The authorizer must have no Lambda Errors alarm: it throws Unauthorized for every refused token (AuthorizerRefused covers its failures)."
  }

  assert {
    condition = alltrue([
      for alarm in ["api-integration-errors", "api-execution-errors"] :
      module.monitoring.alarm_metrics["prod-websocket-${alarm}"][0].dimensions == tomap({ ApiId = "a1b2c3d4e5", Stage = "prod" })
    ])
    error_message = "The API Gateway alarms must read this API's stage (ApiId and Stage)."
  }

  assert {
    condition = (
      toset([for metric in module.monitoring.alarm_metrics["prod-websocket-dynamodb-throttles-connections"] : metric.dimensions]) == toset([tomap({ TableName = "prod-chatbot-connections" })]) &&
      toset([for metric in module.monitoring.alarm_metrics["prod-websocket-dynamodb-throttles-messages"] : metric.dimensions]) == toset([tomap({ TableName = "prod-chatbot-messages" })])
    )
    error_message = "Each table's throttle alarm must read that table's TableName."
  }

  assert {
    condition = (
      toset([for metric in module.monitoring.alarm_metrics["prod-websocket-dynamodb-throttles-connections-user-index"] : metric.metric_name]) == toset(["ReadThrottleEvents", "WriteThrottleEvents"]) &&
      toset([for metric in module.monitoring.alarm_metrics["prod-websocket-dynamodb-throttles-connections-user-index"] : metric.dimensions]) == toset([tomap({ TableName = "prod-chatbot-connections", GlobalSecondaryIndexName = "userId-index" })])
    )
    error_message = "userId-index must have its own throttle alarm (GlobalSecondaryIndexName dimension): its throttling is not in the table's metrics."
  }

  assert {
    condition = alltrue([
      for name, actions in module.monitoring.alarm_actions :
      actions.alarm == toset(["arn:aws:sns:eu-west-1:123456789012:alarms"]) && actions.ok == toset(["arn:aws:sns:eu-west-1:123456789012:alarms"])
    ])
    error_message = "Every alarm must notify the alarm topic when it fires and when it recovers."
  }

  # --- Function configuration and tables -----------------------------------------------------------

  assert {
    condition = alltrue([
      for name, fn in local.functions : tomap(merge(local.function_environment[name], {
        ENVIRONMENT                     = "prod"
        POWERTOOLS_SERVICE_NAME         = "chatbot-websocket"
        POWERTOOLS_METRICS_NAMESPACE    = "ChatbotWebSocket"
        CONNECTIONS_TABLE               = "prod-chatbot-connections"
        MESSAGES_TABLE                  = "prod-chatbot-messages"
        WS_MANAGEMENT_ENDPOINT          = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod"
        MAX_CONNECTIONS_PER_USER        = "5"
        RATE_LIMIT_BURST                = "10"
        RATE_LIMIT_PER_SECOND           = "1"
        CONNECT_RATE_BURST              = "10"
        CONNECT_RATE_PER_SECOND         = "1"
        REFUSAL_LIMIT                   = "20"
        REFUSAL_WINDOW_SECONDS          = "60"
        CONNECTION_IDLE_TIMEOUT_SECONDS = "600"
        MESSAGE_RETENTION_DAYS          = "30"
        STREAM_CHUNK_INTERVAL_MS        = "50"
        STREAM_CHUNK_MAX_CHARS          = "1000"
      })) == local.function_environment[name]
    ])
    error_message = "Every function must get the configuration contract (src/config/env.ts) from the variables."
  }

  assert {
    condition = (
      local.function_environment["authorizer"]["JWT_SECRET_PARAMETER"] == "/chatbot/prod/jwt-secret" &&
      local.function_environment["authorizer"]["JWT_ISSUER"] == "https://auth.example.com/" &&
      local.function_environment["authorizer"]["JWT_AUDIENCE"] == "chatbot" &&
      local.function_environment["authorizer"]["ALLOWED_ORIGINS"] == "https://chat.example.com" &&
      !contains(keys(local.function_environment["authorizer"]), "JWT_JWKS_URL") &&
      alltrue([for name, fn in local.functions : !contains(keys(local.function_environment[name]), "JWT_SECRET_PARAMETER") if name != "authorizer"])
    )
    error_message = "Only the authorizer gets the key source (the SSM parameter's name, never a secret) and the claims to check; an empty setting is left out."
  }

  assert {
    condition = alltrue([
      for name, table in module.tables.protection :
      table.deletion_protection && table.point_in_time_recovery && table.encrypted
    ])
    error_message = "Both tables must have deletion protection, point-in-time recovery and encryption at rest."
  }

  # --- The account's API Gateway CloudWatch role (manage_api_gateway_account, default true) ------

  assert {
    condition     = length(aws_api_gateway_account.this) == 1 && length(aws_iam_role.this) == 1
    error_message = "By default the stack sets the account's API Gateway CloudWatch Logs role, without which the stage's logging fails to deploy."
  }
}
