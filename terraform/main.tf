locals {
  name_prefix   = "${var.environment}-websocket"
  stage_name    = coalesce(var.stage_name, var.environment)
  artifacts_dir = var.artifacts_dir != null ? var.artifacts_dir : "${path.root}/../dist"

  tags = merge(var.tags, {
    Project     = var.service_name
    Environment = var.environment
  })

  # Mirrors src/config/function-manifest.ts (a test keeps the two equal). route_key is the API
  # Gateway route each function serves; the authorizer serves none.
  functions = {
    authorizer = { route_key = null, manages_connections = false }
    connect    = { route_key = "$connect", manages_connections = false }
    disconnect = { route_key = "$disconnect", manages_connections = false }
    message    = { route_key = "chat_message", manages_connections = true }
    ping       = { route_key = "ping", manages_connections = true }
    history    = { route_key = "history", manages_connections = true }
    default    = { route_key = "$default", manages_connections = true }
  }

  route_functions = { for name, fn in local.functions : fn.route_key => name if fn.route_key != null }

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

  # The assistant's settings (src/config/assistant-config.ts), for the message function only: RESPONDER
  # always; the model's settings only when it is bedrock. An unset temperature or an empty prompt is
  # left out, so the model's default applies.
  assistant_environment = merge(
    { RESPONDER = var.responder },
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
      name == "message" ? local.assistant_environment : {},
    ))
  }

  # Routes may be invoked by any route of this API; the authorizer only as this API's authorizer.
  invoke_source_arns = {
    for name, fn in local.functions : name => fn.route_key == null ? "${module.api.execution_arn}/authorizers/${module.api.authorizer_id}" : "${module.api.execution_arn}/*"
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

  function_name      = "${local.name_prefix}-${each.key}"
  description        = "Chatbot WebSocket ${each.value.route_key == null ? "JWT authorizer" : "route ${each.value.route_key}"} (${var.environment})"
  filename           = "${local.artifacts_dir}/${each.key}.zip"
  memory_size        = var.lambda_memory_size
  timeout_seconds    = var.lambda_timeout_seconds
  architecture       = var.lambda_architecture
  environment        = local.function_environment[each.key]
  log_retention_days = var.log_retention_days
  policy_statements  = local.function_policy_statements[each.key]
  invoke_source_arn  = local.invoke_source_arns[each.key]
  tags               = local.tags
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
      timeout_seconds = var.lambda_timeout_seconds
      # The authorizer refuses a token by throwing Unauthorized: its Lambda Errors count refusals.
      errors_alarm = fn.route_key != null
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
  time_to_first_token_p95_ms    = var.alarm_time_to_first_token_p95_ms
  tags                          = local.tags
}
