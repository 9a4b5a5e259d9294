locals {
  name_prefix   = "${var.environment}-websocket"
  stage_name    = coalesce(var.stage_name, var.environment)
  artifacts_dir = var.artifacts_dir != null ? var.artifacts_dir : "${path.root}/../dist"

  tags = merge(var.tags, {
    Project     = var.service_name
    Environment = var.environment
  })

  # Mirrors src/config/function-manifest.ts (a test keeps the two equal). route_key is the API
  # Gateway route each function serves; the authorizer serves none, and neither does an async
  # function (route 'async' in the manifest): other functions invoke it with InvocationType Event.
  functions = {
    authorizer = { route_key = null, async = false, manages_connections = false }
    connect    = { route_key = "$connect", async = false, manages_connections = false }
    disconnect = { route_key = "$disconnect", async = false, manages_connections = false }
    message    = { route_key = "chat_message", async = false, manages_connections = true }
    respond    = { route_key = null, async = true, manages_connections = true }
    cancel     = { route_key = "cancel", async = false, manages_connections = true }
    ping       = { route_key = "ping", async = false, manages_connections = true }
    history    = { route_key = "history", async = false, manages_connections = true }
    default    = { route_key = "$default", async = false, manages_connections = true }
  }

  route_functions = { for name, fn in local.functions : fn.route_key => name if fn.route_key != null }

  # Names built from the prefix, not read from module.functions: a function's settings (the message
  # function's RESPOND_FUNCTION_NAME, its invoke grant) cannot refer to another instance of the
  # same module call without a cycle.
  function_names = { for name, fn in local.functions : name => "${local.name_prefix}-${name}" }

  # respond answers for minutes (the model's whole reply); the route functions live under API
  # Gateway's 29 s integration limit.
  function_timeouts = { for name, fn in local.functions : name => fn.async ? var.respond_timeout_seconds : var.lambda_timeout_seconds }
  function_memory   = { for name, fn in local.functions : name => fn.async ? var.respond_memory_size : var.lambda_memory_size }

  # Built from the API id, Region and stage name rather than the stage resource: the stage depends on
  # the functions (through the integrations), so the functions must not depend on the stage.
  management_endpoint = "https://${module.api.api_id}.execute-api.${var.aws_region}.amazonaws.com/${local.stage_name}"

  # The configuration contract (src/config/env.ts, src/config/app-config.ts).
  common_environment = {
    ENVIRONMENT                     = var.environment
    POWERTOOLS_SERVICE_NAME         = var.service_name
    POWERTOOLS_METRICS_NAMESPACE    = var.metric_namespace
    POWERTOOLS_LOG_LEVEL            = var.log_level
    CONNECTIONS_TABLE               = module.tables.connections_table_name
    MESSAGES_TABLE                  = module.tables.messages_table_name
    WS_MANAGEMENT_ENDPOINT          = local.management_endpoint
    MAX_CONNECTIONS_PER_USER        = tostring(var.max_connections_per_user)
    RATE_LIMIT_BURST                = tostring(var.rate_limit_burst)
    RATE_LIMIT_PER_SECOND           = tostring(var.rate_limit_per_second)
    CONNECT_RATE_BURST              = tostring(var.connect_rate_burst)
    CONNECT_RATE_PER_SECOND         = tostring(var.connect_rate_per_second)
    REFUSAL_LIMIT                   = tostring(var.refusal_limit)
    REFUSAL_WINDOW_SECONDS          = tostring(var.refusal_window_seconds)
    CONNECTION_IDLE_TIMEOUT_SECONDS = tostring(var.connection_idle_timeout_seconds)
    MESSAGE_RETENTION_DAYS          = tostring(var.message_retention_days)
    STREAM_CHUNK_INTERVAL_MS        = tostring(var.stream_chunk_interval_ms)
    STREAM_CHUNK_MAX_CHARS          = tostring(var.stream_chunk_max_chars)
  }

  # Empty settings are left out rather than set to "": the code reads an unset variable as "not configured".
  authorizer_environment = {
    for key, value in {
      JWT_SECRET_PARAMETER = var.jwt_secret_parameter_name
      JWT_JWKS_URL         = var.jwt_jwks_url
      JWT_ISSUER           = var.jwt_issuer
      JWT_AUDIENCE         = var.jwt_audience
      ALLOWED_ORIGINS      = join(",", var.allowed_origins)
    } : key => value if value != ""
  }

  # What the message function needs to reserve a question's tokens before the hand-off
  # (src/config/assistant-config.ts): the responder, and for bedrock the reply's maximum and the
  # daily budget. The model itself is respond's.
  budget_environment = merge(
    { RESPONDER = var.responder },
    var.responder != "bedrock" ? {} : {
      BEDROCK_MAX_TOKENS           = tostring(var.bedrock_max_tokens)
      DAILY_OUTPUT_TOKENS_PER_USER = tostring(var.daily_output_tokens_per_user)
    },
  )

  # The assistant's settings (src/config/assistant-config.ts), for the respond function, which calls
  # the model and settles the budget: RESPONDER always; the model's settings only when it is bedrock.
  # An unset temperature or an empty prompt is left out, so the model's default applies.
  assistant_environment = merge(
    { RESPONDER = var.responder, REPLY_PERSIST_CHARS = tostring(var.reply_persist_chars) },
    var.responder != "bedrock" ? {} : {
      for key, value in {
        BEDROCK_MODEL_ID             = var.bedrock_model_id
        BEDROCK_REGION               = var.bedrock_region == null ? "" : var.bedrock_region
        BEDROCK_SYSTEM_PROMPT        = var.bedrock_system_prompt
        BEDROCK_MAX_TOKENS           = tostring(var.bedrock_max_tokens)
        BEDROCK_TEMPERATURE          = var.bedrock_temperature == null ? "" : tostring(var.bedrock_temperature)
        CONTEXT_MAX_MESSAGES         = tostring(var.context_max_messages)
        CONTEXT_MAX_CHARS            = tostring(var.context_max_chars)
        BEDROCK_STALL_GAP_MS         = tostring(var.bedrock_stall_gap_ms)
        BEDROCK_DEADLINE_MARGIN_MS   = tostring(var.bedrock_deadline_margin_ms)
        DAILY_OUTPUT_TOKENS_PER_USER = tostring(var.daily_output_tokens_per_user)
      } : key => value if value != ""
    },
  )

  function_environment = {
    for name, fn in local.functions : name => tomap(merge(
      local.common_environment,
      name == "authorizer" ? local.authorizer_environment : {},
      # RESPOND_TIMEOUT_SECONDS: how long the message function holds a session's turn for one answer.
      name == "message" ? merge(local.budget_environment, { RESPOND_FUNCTION_NAME = local.function_names["respond"], RESPOND_TIMEOUT_SECONDS = tostring(var.respond_timeout_seconds) }) : {},
      name == "respond" ? local.assistant_environment : {},
    ))
  }

  # Routes may be invoked by any route of this API; the authorizer only as this API's authorizer; an
  # async function by no API at all (null: no API Gateway permission).
  invoke_source_arns = {
    for name, fn in local.functions : name => fn.async ? null : fn.route_key == null ? "${module.api.execution_arn}/authorizers/${module.api.authorizer_id}" : "${module.api.execution_arn}/*"
  }

  function_descriptions = {
    for name, fn in local.functions : name => (
      fn.async ? "Chatbot WebSocket ${name}, invoked asynchronously (${var.environment})" :
      "Chatbot WebSocket ${fn.route_key == null ? "JWT authorizer" : "route ${fn.route_key}"} (${var.environment})"
    )
  }
}

module "tables" {
  source = "./modules/tables"

  environment                    = var.environment
  deletion_protection_enabled    = var.table_deletion_protection
  point_in_time_recovery_enabled = var.table_point_in_time_recovery
  tags                           = local.tags
}

module "functions" {
  source   = "./modules/lambda_function"
  for_each = local.functions

  function_name          = local.function_names[each.key]
  description            = local.function_descriptions[each.key]
  filename               = "${local.artifacts_dir}/${each.key}.zip"
  memory_size            = local.function_memory[each.key]
  timeout_seconds        = local.function_timeouts[each.key]
  architecture           = var.lambda_architecture
  environment            = local.function_environment[each.key]
  log_retention_days     = var.log_retention_days
  policy_statements      = local.function_policy_statements[each.key]
  invoked_by_api_gateway = !each.value.async
  invoke_source_arn      = local.invoke_source_arns[each.key]
  tags                   = local.tags
}

module "api" {
  source = "./modules/api"

  name                    = local.name_prefix
  stage_name              = local.stage_name
  authorizer_invoke_arn   = module.functions["authorizer"].invoke_arn
  route_invoke_arns       = { for route_key, name in local.route_functions : route_key => module.functions[name].invoke_arn }
  throttling_burst_limit  = var.throttling_burst_limit
  throttling_rate_limit   = var.throttling_rate_limit
  execution_logging_level = var.execution_logging_level
  log_retention_days      = var.log_retention_days
  tags                    = local.tags

  # Stage logging needs the account's CloudWatch role in place first.
  depends_on = [aws_api_gateway_account.this]
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix      = local.name_prefix
  region           = var.aws_region
  environment      = var.environment
  service_name     = var.service_name
  metric_namespace = var.metric_namespace
  functions = {
    for name, fn in local.functions : name => {
      function_name   = module.functions[name].function_name
      timeout_seconds = local.function_timeouts[name]
      # The authorizer refuses a token by throwing Unauthorized: its Lambda Errors count refusals.
      errors_alarm = name != "authorizer"
      async        = fn.async
      # A route function: p99 above 80% of its timeout for 15 minutes. respond: any invocation above
      # 90% of its timeout (an answer cut at the deadline, or a hang), as it happens.
      duration_alarm = fn.async ? { statistic = "Maximum", percent = 90, periods = 1 } : { statistic = "p99", percent = 80, periods = 3 }
    }
  }
  dead_letter_queues = {
    respond = {
      queue_name    = aws_sqs_queue.respond_dead_letter.name
      function_name = module.functions["respond"].function_name
    }
  }
  api_id     = module.api.api_id
  stage_name = local.stage_name
  table_names = {
    connections = module.tables.connections_table_name
    messages    = module.tables.messages_table_name
  }
  index_names = {
    connections-user-index = {
      table_name = module.tables.connections_table_name
      index_name = module.tables.connections_user_index_name
    }
  }
  alarm_email_addresses         = var.alarm_email_addresses
  handler_error_threshold       = var.alarm_handler_error_threshold
  delivery_failed_threshold     = var.alarm_delivery_failed_threshold
  authorizer_refused_threshold  = var.alarm_authorizer_refused_threshold
  rate_limited_threshold        = var.alarm_rate_limited_threshold
  closed_for_refusals_threshold = var.alarm_closed_for_refusals_threshold
  api_error_threshold           = var.alarm_api_error_threshold
  model_error_threshold         = var.alarm_model_error_threshold
  hand_off_failed_threshold     = var.alarm_hand_off_failed_threshold
  time_to_first_token_p95_ms    = var.alarm_time_to_first_token_p95_ms
  tags                          = local.tags
}
