# The asynchronous hand-off: the respond function (its role, timeout, environment), the message
# function's permission to invoke it, Lambda's async invoke configuration with its dead-letter queue,
# and the alarms on them.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  aws_region                = "eu-west-1"
  environment               = "prod"
  jwt_secret_parameter_name = "/chatbot/prod/jwt-secret"
  artifacts_dir             = "tests/artifacts"
}

run "defaults" {
  command = plan

  # --- The respond function's role ------------------------------------------------------------------

  assert {
    condition = alltrue(flatten([
      for statement in jsondecode(module.functions["respond"].policy).Statement : [
        for action in statement.Action : !strcontains(action, "*")
      ]
    ]))
    error_message = "respond's role must grant no wildcard action."
  }

  assert {
    condition = toset(flatten([for statement in jsondecode(module.functions["respond"].policy).Statement : statement.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
      "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:GetItem",
      "execute-api:ManageConnections", "bedrock:InvokeModelWithResponseStream", "sqs:SendMessage",
    ])
    error_message = "respond may log, trace, use its tables, post to and close connections, stream from the model and send failed events to its queue: nothing else (no lambda:, no ssm:, no PutItem)."
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement if statement.Sid == "SendFailedEventsToDeadLetterQueue"
      ] == [{
        Sid      = "SendFailedEventsToDeadLetterQueue"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["arn:aws:sqs:eu-west-1:123456789012:prod-websocket-respond-dlq"]
    }]
    error_message = "respond's role may send to its dead-letter queue only (Lambda delivers on-failure destinations with the function's role)."
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement.Resource if statement.Sid == "InvokeConfiguredModel"
    ] == [["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]]
    error_message = "respond may stream from the configured model only."
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement.Resource if statement.Sid == "ManageConnections"
      ] == [[
        "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/@connections/*",
        "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/DELETE/@connections/*",
    ]]
    error_message = "respond may POST to and DELETE connections of this API's stage only."
  }

  # --- The hand-off: who may invoke what --------------------------------------------------------------

  assert {
    condition = [
      for statement in jsondecode(module.functions["message"].policy).Statement : statement if contains(statement.Action, "lambda:InvokeFunction")
      ] == [{
        Sid      = "InvokeAsyncFunctions"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = [module.functions["respond"].arn]
    }]
    error_message = "The message function may invoke exactly the respond function (its unqualified ARN), nothing else."
  }

  assert {
    condition     = module.functions["respond"].arn == "arn:aws:lambda:eu-west-1:123456789012:function:prod-websocket-respond"
    error_message = "The mocked respond ARN must carry its real name, or the grant check above proves nothing."
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement : [
          for action in statement.Action : !startswith(action, "lambda:")
        ]
      ] if name != "message"
    ]))
    error_message = "Only the message function may invoke a function."
  }

  assert {
    condition     = module.functions["respond"].invoke_source_arn == null
    error_message = "API Gateway must have no permission to invoke respond: it serves no route."
  }

  assert {
    condition     = !contains(keys(module.api.routes), "async") && module.api.routes["cancel"].target == "integrations/int-cancel"
    error_message = "respond has no route; cancel is a route like the others."
  }

  # --- Configuration ----------------------------------------------------------------------------------

  assert {
    condition     = module.functions["respond"].timeout_seconds == 300 && module.functions["message"].timeout_seconds == 15
    error_message = "respond gets respond_timeout_seconds (300); the route functions keep lambda_timeout_seconds (15)."
  }

  assert {
    condition = (
      local.function_environment["message"]["RESPOND_FUNCTION_NAME"] == "prod-websocket-respond" &&
      alltrue([for name, fn in local.functions : !contains(keys(local.function_environment[name]), "RESPOND_FUNCTION_NAME") if name != "message"])
    )
    error_message = "The message function must get the respond function's name (RESPOND_FUNCTION_NAME), and only it."
  }

  assert {
    condition     = local.function_environment["message"]["RESPOND_TIMEOUT_SECONDS"] == "300"
    error_message = "The message function holds a session's turn for respond's timeout (and a minute): it must get RESPOND_TIMEOUT_SECONDS."
  }

  assert {
    condition = (
      local.function_environment["respond"]["WS_MANAGEMENT_ENDPOINT"] == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod" &&
      local.function_environment["respond"]["CONNECTIONS_TABLE"] == "prod-chatbot-connections" &&
      local.function_environment["respond"]["MESSAGES_TABLE"] == "prod-chatbot-messages"
    )
    error_message = "respond has no WebSocket event to derive the management endpoint from: it must get this stage's endpoint and the tables."
  }

  # --- Lambda's async invoke configuration and the dead-letter queue ------------------------------------

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.respond.function_name == "prod-websocket-respond" &&
      aws_lambda_function_event_invoke_config.respond.maximum_retry_attempts == 2 &&
      aws_lambda_function_event_invoke_config.respond.maximum_event_age_in_seconds == 21600 &&
      aws_lambda_function_event_invoke_config.respond.destination_config[0].on_failure[0].destination == "arn:aws:sqs:eu-west-1:123456789012:prod-websocket-respond-dlq" &&
      length(aws_lambda_function_event_invoke_config.respond.destination_config[0].on_success) == 0
    )
    error_message = "respond's events get 2 retries, a maximum age of 6 hours, and go to the dead-letter queue when Lambda gives up (no on-success destination)."
  }

  assert {
    condition = (
      aws_sqs_queue.respond_dead_letter.name == "prod-websocket-respond-dlq" &&
      aws_sqs_queue.respond_dead_letter.sqs_managed_sse_enabled == true &&
      aws_sqs_queue.respond_dead_letter.message_retention_seconds == 1209600
    )
    error_message = "The dead-letter queue must be encrypted at rest (SSE-SQS) and keep messages 14 days."
  }

  assert {
    condition     = output.respond_dead_letter_queue_url == "https://sqs.eu-west-1.amazonaws.com/123456789012/prod-websocket-respond-dlq"
    error_message = "The queue's URL must be an output (the runbook reads it)."
  }

  # --- Alarms ------------------------------------------------------------------------------------------

  assert {
    condition = (
      module.monitoring.alarm_metrics["prod-websocket-dead-letter-respond"] == [{ namespace = "AWS/SQS", metric_name = "ApproximateNumberOfMessagesVisible", dimensions = tomap({ QueueName = "prod-websocket-respond-dlq" }) }] &&
      module.monitoring.alarm_statistics["prod-websocket-dead-letter-respond"] == { statistic = "Maximum", evaluation_periods = 1, threshold = 0, comparison_operator = "GreaterThanThreshold" }
    )
    error_message = "One message in the dead-letter queue must raise its alarm."
  }

  assert {
    condition = (
      module.monitoring.alarm_metrics["prod-websocket-lambda-errors-respond"] == [{ namespace = "AWS/Lambda", metric_name = "Errors", dimensions = tomap({ FunctionName = "prod-websocket-respond" }) }] &&
      module.monitoring.alarm_statistics["prod-websocket-lambda-errors-respond"] == { statistic = "Sum", evaluation_periods = 1, threshold = 1, comparison_operator = "GreaterThanOrEqualToThreshold" }
    )
    error_message = "A failed respond attempt must raise respond's Lambda Errors alarm."
  }

  assert {
    condition = (
      module.monitoring.alarm_metrics["prod-websocket-lambda-duration-respond"] == [{ namespace = "AWS/Lambda", metric_name = "Duration", dimensions = tomap({ FunctionName = "prod-websocket-respond" }) }] &&
      module.monitoring.alarm_statistics["prod-websocket-lambda-duration-respond"] == { statistic = "Maximum", evaluation_periods = 1, threshold = 270000, comparison_operator = "GreaterThanThreshold" } &&
      module.monitoring.alarm_statistics["prod-websocket-lambda-duration-message"] == { statistic = "p99", evaluation_periods = 3, threshold = 12000, comparison_operator = "GreaterThanThreshold" }
    )
    error_message = "respond's longest invocation above 90% of its timeout (270 s) must raise its duration alarm at once; the route functions keep p99 above 80% for 15 minutes."
  }

  assert {
    condition     = module.monitoring.alarm_metrics["prod-websocket-hand-off-failures"] == [{ namespace = "ChatbotWebSocket", metric_name = "HandOffFailed", dimensions = tomap({ service = "chatbot-websocket", environment = "prod" }) }]
    error_message = "A failed hand-off must raise the hand-off failures alarm, read in the project namespace with its dimensions."
  }
}

run "tuned_hand_off" {
  command = plan

  variables {
    respond_timeout_seconds            = 900
    respond_memory_size                = 512
    respond_max_retry_attempts         = 0
    respond_max_event_age_seconds      = 60
    respond_dead_letter_retention_days = 1
  }

  assert {
    condition = (
      module.functions["respond"].timeout_seconds == 900 &&
      module.functions["respond"].memory_size == 512 &&
      module.functions["message"].memory_size == 256 &&
      aws_lambda_function_event_invoke_config.respond.maximum_retry_attempts == 0 &&
      aws_lambda_function_event_invoke_config.respond.maximum_event_age_in_seconds == 60 &&
      aws_sqs_queue.respond_dead_letter.message_retention_seconds == 86400 &&
      module.monitoring.alarm_statistics["prod-websocket-lambda-duration-respond"].threshold == 810000
    )
    error_message = "The edge values (900 s timeout, no retry, one minute of event age, one day of retention) (and 512 MB) must reach respond alone, its invoke configuration, its queue and its duration alarm."
  }
}
