data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # DynamoDB actions per function and table/index, as in src/config/function-manifest.ts (a test
  # compares the two, and another the manifest with the calls the test suites saw each function make;
  # add an action there and here together).
  dynamodb_access = {
    authorizer = {}
    connect = {
      # The user's connect bucket (UpdateItem), the cap's slots (BatchGetItem, PutItem, DeleteItem), the row (PutItem).
      connections = ["dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
    }
    disconnect = {
      connections = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    }
    message = {
      connections            = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      connections_user_index = ["dynamodb:Query"]
      messages               = ["dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    }
    respond = {
      # UpdateItem: settles the day's token budget; DeleteItem: stale rows found while streaming.
      connections            = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      connections_user_index = ["dynamodb:Query"]
      # GetItem: the question and cancel requests; Query: the conversation; UpdateItem: the reply's
      # attempts, text and end, and the session's turn.
      messages = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    }
    cancel = {
      connections = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      # Marks the streaming reply cancelled (respond sees it and stops).
      messages = ["dynamodb:UpdateItem"]
    }
    ping = {
      connections = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    }
    history = {
      connections = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
      messages    = ["dynamodb:Query"]
    }
    default = {
      # UpdateItem: the refusal count on the connection's row.
      connections = ["dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    }
  }

  dynamodb_targets = {
    connections = {
      sid = "ConnectionsTable"
      arn = module.tables.connections_table_arn
    }
    connections_user_index = {
      sid = "ConnectionsUserIndex"
      arn = "${module.tables.connections_table_arn}/index/${module.tables.connections_user_index_name}"
    }
    messages = {
      sid = "MessagesTable"
      arn = module.tables.messages_table_arn
    }
  }

  # @connections of this API and stage only: POST (send), DELETE (close a connection), as
  # CONNECTIONS_METHODS in src/config/function-manifest.ts.
  manage_connections_arns = [
    for method in ["POST", "DELETE"] : "${module.api.execution_arn}/${local.stage_name}/${method}/@connections/*"
  ]

  # Bedrock actions per function, as `bedrock` in src/config/function-manifest.ts, granted on the
  # configured model only (bedrock_model_arns) and only when the responder is bedrock.
  bedrock_access = {
    respond = ["bedrock:InvokeModelWithResponseStream"]
  }

  # Functions each function invokes asynchronously, as `invokes` in src/config/function-manifest.ts:
  # lambda:InvokeFunction on exactly those functions' unqualified ARNs. The caller names the function
  # without a qualifier (RESPOND_FUNCTION_NAME), which IAM checks against the unqualified ARN; the stack
  # publishes no versions or aliases, so a qualified ARN (name:qualifier) is left out on purpose.
  lambda_invokes = {
    message = ["respond"]
  }

  function_arns = {
    for name, fn in local.functions : name => "arn:${data.aws_partition.current.partition}:lambda:${var.aws_region}:${data.aws_caller_identity.current.account_id}:function:${local.function_names[name]}"
  }

  # Geo prefixes of the system-defined cross-Region inference profile ids (us.anthropic.claude-...).
  # A model id never starts with one: its first part is the provider (anthropic, amazon, meta...).
  bedrock_profile_prefixes = ["us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"]

  bedrock_region            = coalesce(var.bedrock_region, var.aws_region)
  bedrock_model_is_arn      = startswith(var.bedrock_model_id, "arn:")
  bedrock_model_prefix      = split(".", var.bedrock_model_id)[0]
  bedrock_model_is_profile  = !local.bedrock_model_is_arn && contains(local.bedrock_profile_prefixes, local.bedrock_model_prefix)
  bedrock_profile_model_id  = trimprefix(var.bedrock_model_id, "${local.bedrock_model_prefix}.")
  bedrock_foundation_prefix = "arn:${data.aws_partition.current.partition}:bedrock"

  # What Bedrock authorizes a ConverseStream call against:
  # - a foundation model id: that model in the Region called (foundation-model ARNs have no account);
  # - a system-defined cross-Region profile id: the profile in this account and Region, and the
  #   underlying model in every Region, because the profile routes each request to one of several
  #   Regions (chosen per request) and the model is authorized there. `*` also matches the empty
  #   Region of the model ARN a global. profile is authorized against;
  # - an inference profile or application inference profile ARN: that ARN, and the foundation models
  #   it routes to, which Terraform cannot derive from the ARN (bedrock_inference_profile_model_arns).
  bedrock_model_arns = (
    local.bedrock_model_is_arn ? concat([var.bedrock_model_id], var.bedrock_inference_profile_model_arns) :
    local.bedrock_model_is_profile ? [
      "${local.bedrock_foundation_prefix}:${local.bedrock_region}:${data.aws_caller_identity.current.account_id}:inference-profile/${var.bedrock_model_id}",
      "${local.bedrock_foundation_prefix}:*::foundation-model/${local.bedrock_profile_model_id}",
    ] :
    ["${local.bedrock_foundation_prefix}:${local.bedrock_region}::foundation-model/${var.bedrock_model_id}"]
  )

  jwt_secret_parameter_arn = "arn:${data.aws_partition.current.partition}:ssm:${var.aws_region}:${data.aws_caller_identity.current.account_id}:parameter/${trimprefix(var.jwt_secret_parameter_name, "/")}"

  authorizer_statements = concat(
    var.jwt_secret_parameter_name == "" ? [] : [{
      sid        = "ReadJwtSecret"
      actions    = ["ssm:GetParameter"]
      resources  = [local.jwt_secret_parameter_arn]
      conditions = []
    }],
    var.jwt_secret_parameter_name == "" || var.jwt_secret_kms_key_arn == "" ? [] : [{
      sid       = "DecryptJwtSecretThroughSsm"
      actions   = ["kms:Decrypt"]
      resources = [var.jwt_secret_kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${var.aws_region}.amazonaws.com"]
      }]
    }],
  )

  function_policy_statements = {
    for name, fn in local.functions : name => concat(
      [
        for target, actions in local.dynamodb_access[name] : {
          sid        = local.dynamodb_targets[target].sid
          actions    = actions
          resources  = [local.dynamodb_targets[target].arn]
          conditions = []
        }
      ],
      fn.manages_connections ? [{
        sid        = "ManageConnections"
        actions    = ["execute-api:ManageConnections"]
        resources  = local.manage_connections_arns
        conditions = []
      }] : [],
      name == "authorizer" ? local.authorizer_statements : [],
      var.responder == "bedrock" && length(lookup(local.bedrock_access, name, [])) > 0 ? [{
        sid        = "InvokeConfiguredModel"
        actions    = local.bedrock_access[name]
        resources  = local.bedrock_model_arns
        conditions = []
      }] : [],
      length(lookup(local.lambda_invokes, name, [])) > 0 ? [{
        sid        = "InvokeAsyncFunctions"
        actions    = ["lambda:InvokeFunction"]
        resources  = [for target in local.lambda_invokes[name] : local.function_arns[target]]
        conditions = []
      }] : [],
      # Lambda sends an event that failed every attempt (or aged out) to the on-failure destination
      # with the function's own execution role.
      name == "respond" ? [{
        sid        = "SendFailedEventsToDeadLetterQueue"
        actions    = ["sqs:SendMessage"]
        resources  = [aws_sqs_queue.respond_dead_letter.arn]
        conditions = []
      }] : [],
    )
  }
}

# ---------------------------------------------------------------------------------------------------
# Optional: the account-level role API Gateway uses to write logs (one per account and Region).
# ---------------------------------------------------------------------------------------------------

resource "aws_iam_role" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  name = "${local.name_prefix}-apigateway-cloudwatch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
      }
    }]
  })

  tags = local.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  role       = aws_iam_role.this[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.this[0].arn

  depends_on = [aws_iam_role_policy_attachment.this]
}
