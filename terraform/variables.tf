# ---------------------------------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------------------------------

variable "aws_region" {
  description = "AWS Region to deploy into."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like a Region code, e.g. eu-west-1."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod...). Prefixes every resource name: {environment}-websocket-*, {environment}-chatbot-*; also the ENVIRONMENT metric dimension."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.environment))
    error_message = "environment must be 1-16 characters of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "stage_name" {
  description = "API Gateway stage name (the last path segment of the wss:// URL). Null means the environment name."
  type        = string
  default     = null

  validation {
    condition     = var.stage_name == null || can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name must be 1-128 characters of A-Z, a-z, 0-9, '_' and '-'."
  }
}

variable "service_name" {
  description = "Powertools service name (POWERTOOLS_SERVICE_NAME); the 'service' dimension of every project metric."
  type        = string
  default     = "chatbot-websocket"

  validation {
    condition     = length(var.service_name) > 0
    error_message = "service_name must not be empty."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the project's metrics (POWERTOOLS_METRICS_NAMESPACE)."
  type        = string
  default     = "ChatbotWebSocket"

  validation {
    condition     = length(var.metric_namespace) > 0 && !startswith(var.metric_namespace, "AWS/")
    error_message = "metric_namespace must not be empty and must not start with AWS/."
  }
}

variable "tags" {
  description = "Tags applied to every resource that takes tags (merged with Project and Environment)."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------------------------------

variable "artifacts_dir" {
  description = "Directory holding the build's zips (<name>.zip per function). Null means ../dist next to this module."
  type        = string
  default     = null
}

variable "lambda_memory_size" {
  description = "Memory of every function but respond (respond_memory_size), in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.lambda_memory_size >= 256 && var.lambda_memory_size <= 512
    error_message = "lambda_memory_size must be between 256 and 512 MB."
  }
}

variable "lambda_timeout_seconds" {
  description = "Timeout of every function but respond (respond_timeout_seconds), in seconds. API Gateway gives an integration at most 29 seconds."
  type        = number
  default     = 15

  validation {
    condition     = var.lambda_timeout_seconds >= 3 && var.lambda_timeout_seconds <= 29
    error_message = "lambda_timeout_seconds must be between 3 and 29."
  }
}

variable "respond_timeout_seconds" {
  description = "Timeout of the respond function, in seconds: the longest answer it generates (it stops a little before, at BEDROCK_DEADLINE_MARGIN_MS, and stores the reply as truncated). No API Gateway limit applies: respond is invoked asynchronously."
  type        = number
  default     = 300

  validation {
    condition     = var.respond_timeout_seconds >= 10 && var.respond_timeout_seconds <= 900 && floor(var.respond_timeout_seconds) == var.respond_timeout_seconds
    error_message = "respond_timeout_seconds must be an integer between 10 and 900 (Lambda's maximum)."
  }
}

variable "respond_memory_size" {
  description = "Memory of the respond function, in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.respond_memory_size >= 256 && var.respond_memory_size <= 512
    error_message = "respond_memory_size must be between 256 and 512 MB."
  }
}

variable "respond_max_retry_attempts" {
  description = "Times Lambda retries a respond event whose attempt failed (a crash, a timeout) before sending it to the dead-letter queue. A retry finds the reply the failed attempt left and ends it (never a second reply)."
  type        = number
  default     = 2

  validation {
    condition     = var.respond_max_retry_attempts >= 0 && var.respond_max_retry_attempts <= 2 && floor(var.respond_max_retry_attempts) == var.respond_max_retry_attempts
    error_message = "respond_max_retry_attempts must be 0, 1 or 2 (Lambda's range for asynchronous invocations)."
  }
}

variable "respond_max_event_age_seconds" {
  description = "Age after which Lambda stops trying a queued respond event (throttled or retried) and sends it to the dead-letter queue."
  type        = number
  default     = 21600

  validation {
    condition     = var.respond_max_event_age_seconds >= 60 && var.respond_max_event_age_seconds <= 21600 && floor(var.respond_max_event_age_seconds) == var.respond_max_event_age_seconds
    error_message = "respond_max_event_age_seconds must be an integer between 60 and 21600 (Lambda's range)."
  }
}

variable "respond_dead_letter_retention_days" {
  description = "Days the dead-letter queue keeps the respond events Lambda gave up on (time to read and replay them)."
  type        = number
  default     = 14

  validation {
    condition     = var.respond_dead_letter_retention_days >= 1 && var.respond_dead_letter_retention_days <= 14 && floor(var.respond_dead_letter_retention_days) == var.respond_dead_letter_retention_days
    error_message = "respond_dead_letter_retention_days must be an integer between 1 and 14 (SQS's maximum retention)."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of every function (the bundles are plain JavaScript, so both work)."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be arm64 or x86_64."
  }
}

variable "log_level" {
  description = "Powertools log level of every function (POWERTOOLS_LOG_LEVEL)."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' and the API's log groups, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ..., 365, ..., 3653)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Application policy (the configuration contract)
# ---------------------------------------------------------------------------------------------------

variable "max_connections_per_user" {
  description = "Live connections one user may hold; $connect refuses the next one."
  type        = number
  default     = 5

  validation {
    condition     = var.max_connections_per_user >= 1 && var.max_connections_per_user <= 1000 && floor(var.max_connections_per_user) == var.max_connections_per_user
    error_message = "max_connections_per_user must be an integer between 1 and 1000."
  }
}

variable "rate_limit_burst" {
  description = "Token bucket size per user, shared by all of the user's connections (frames a user may send at once)."
  type        = number
  default     = 10

  validation {
    condition     = var.rate_limit_burst >= 1 && var.rate_limit_burst <= 10000 && floor(var.rate_limit_burst) == var.rate_limit_burst
    error_message = "rate_limit_burst must be an integer between 1 and 10000."
  }
}

variable "rate_limit_per_second" {
  description = "Token refill rate per user, in frames per second."
  type        = number
  default     = 1

  validation {
    condition     = var.rate_limit_per_second >= 0.001 && var.rate_limit_per_second <= 10000
    error_message = "rate_limit_per_second must be between 0.001 and 10000."
  }
}

variable "connect_rate_burst" {
  description = "Handshakes one user may make at once (a per-user token bucket; a connect flood gets 429)."
  type        = number
  default     = 10

  validation {
    condition     = var.connect_rate_burst >= 1 && var.connect_rate_burst <= 10000 && floor(var.connect_rate_burst) == var.connect_rate_burst
    error_message = "connect_rate_burst must be an integer between 1 and 10000."
  }
}

variable "connect_rate_per_second" {
  description = "Refill rate of the per-user handshake bucket, in connects per second."
  type        = number
  default     = 1

  validation {
    condition     = var.connect_rate_per_second >= 0.001 && var.connect_rate_per_second <= 10000
    error_message = "connect_rate_per_second must be between 0.001 and 10000."
  }
}

variable "refusal_limit" {
  description = "Refused frames (invalid, unknown action, over the rate limit) after which a connection is closed, within refusal_window_seconds."
  type        = number
  default     = 20

  validation {
    condition     = var.refusal_limit >= 1 && var.refusal_limit <= 100000 && floor(var.refusal_limit) == var.refusal_limit
    error_message = "refusal_limit must be an integer between 1 and 100000."
  }
}

variable "refusal_window_seconds" {
  description = "The window, opened by a connection's first refusal, in which refusal_limit refusals close it."
  type        = number
  default     = 60

  validation {
    condition     = var.refusal_window_seconds >= 1 && var.refusal_window_seconds <= 86400 && floor(var.refusal_window_seconds) == var.refusal_window_seconds
    error_message = "refusal_window_seconds must be an integer between 1 and 86400."
  }
}

variable "connection_idle_timeout_seconds" {
  description = "Idle expiry of a connection item (TTL pushed forward by every frame); API Gateway's own idle timeout is 600."
  type        = number
  default     = 600

  validation {
    condition     = var.connection_idle_timeout_seconds >= 1 && var.connection_idle_timeout_seconds <= 7200
    error_message = "connection_idle_timeout_seconds must be between 1 and 7200."
  }
}

variable "message_retention_days" {
  description = "Days a chat message is kept before DynamoDB TTL removes it."
  type        = number
  default     = 30

  validation {
    condition     = var.message_retention_days >= 1 && var.message_retention_days <= 3650
    error_message = "message_retention_days must be between 1 and 3650."
  }
}

variable "stream_chunk_interval_ms" {
  description = "A streaming reply's pieces are batched: at most one chunk post per connection per this many milliseconds (STREAM_CHUNK_INTERVAL_MS)."
  type        = number
  default     = 50

  validation {
    condition     = var.stream_chunk_interval_ms >= 0 && var.stream_chunk_interval_ms <= 5000 && floor(var.stream_chunk_interval_ms) == var.stream_chunk_interval_ms
    error_message = "stream_chunk_interval_ms must be an integer between 0 and 5000."
  }
}

variable "stream_chunk_max_chars" {
  description = "Pending reply text of this many characters is posted at once, without waiting for the interval (STREAM_CHUNK_MAX_CHARS)."
  type        = number
  default     = 1000

  validation {
    condition     = var.stream_chunk_max_chars >= 1 && var.stream_chunk_max_chars <= 8000 && floor(var.stream_chunk_max_chars) == var.stream_chunk_max_chars
    error_message = "stream_chunk_max_chars must be an integer between 1 and 8000."
  }
}

variable "reply_persist_chars" {
  description = "respond stores an answer's text so far at least every second, and after this many new characters (REPLY_PERSIST_CHARS): what history returns for an answer in progress."
  type        = number
  default     = 2000

  validation {
    condition     = var.reply_persist_chars >= 1 && var.reply_persist_chars <= 100000 && floor(var.reply_persist_chars) == var.reply_persist_chars
    error_message = "reply_persist_chars must be an integer between 1 and 100000."
  }
}

# ---------------------------------------------------------------------------------------------------
# The assistant (src/config/assistant-config.ts): the responder respond runs and its Bedrock model
# ---------------------------------------------------------------------------------------------------

variable "responder" {
  description = "What answers a chat_message (RESPONDER): bedrock (the assistant, on bedrock_model_id), or echo / echo-stream (no model, no Bedrock permission, no budget)."
  type        = string
  default     = "bedrock"

  validation {
    condition     = contains(["bedrock", "echo", "echo-stream"], var.responder)
    error_message = "responder must be bedrock, echo or echo-stream."
  }
}

variable "bedrock_model_id" {
  description = "The model the assistant calls (BEDROCK_MODEL_ID): a foundation model id (anthropic.claude-3-haiku-20240307-v1:0), a system-defined cross-Region inference profile id (us.anthropic.claude-3-5-haiku-20241022-v1:0, eu., apac., global. ...), or an inference profile / application inference profile ARN (then list its models in bedrock_inference_profile_model_arns). The respond function may invoke this model only. Enable access to the model in the Bedrock console first."
  type        = string
  default     = "anthropic.claude-3-haiku-20240307-v1:0"

  validation {
    condition     = can(regex("^[a-z0-9-]+\\.[A-Za-z0-9._:-]+$", var.bedrock_model_id)) || can(regex("^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:[0-9]{12}:(application-)?inference-profile/[A-Za-z0-9._:-]+$", var.bedrock_model_id))
    error_message = "bedrock_model_id must be a model id (provider.model, e.g. anthropic.claude-3-haiku-20240307-v1:0), an inference profile id (e.g. us.anthropic.claude-3-5-haiku-20241022-v1:0), or an inference profile ARN (arn:aws:bedrock:<region>:<account>:inference-profile/<id> or application-inference-profile/<id>); no wildcards."
  }
}

variable "bedrock_inference_profile_model_arns" {
  description = "Only with an inference profile ARN as bedrock_model_id: the foundation-model ARNs that profile routes to (arn:aws:bedrock:<region or *>::foundation-model/<id>). Bedrock checks the permission on the profile and on the model in the Region it routes to, and Terraform cannot read an application profile's models from its ARN."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.bedrock_inference_profile_model_arns : can(regex("^arn:aws[a-z-]*:bedrock:([a-z0-9-]+|\\*)::foundation-model/[A-Za-z0-9._:-]+$", arn))])
    error_message = "Each bedrock_inference_profile_model_arns entry must be a foundation-model ARN (arn:aws:bedrock:<region or *>::foundation-model/<model id>)."
  }

  validation {
    condition     = (length(var.bedrock_inference_profile_model_arns) > 0) == startswith(var.bedrock_model_id, "arn:")
    error_message = "Set bedrock_inference_profile_model_arns exactly when bedrock_model_id is an inference profile ARN (list the foundation models the profile routes to); a model id or a system-defined profile id needs none."
  }
}

variable "bedrock_region" {
  description = "Region of the Bedrock runtime the assistant calls (BEDROCK_REGION), when the model is not offered in aws_region. Null means aws_region."
  type        = string
  default     = null

  validation {
    condition     = var.bedrock_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.bedrock_region))
    error_message = "bedrock_region must be null or look like a Region code, e.g. us-east-1."
  }
}

variable "bedrock_system_prompt" {
  description = "The assistant's system prompt (BEDROCK_SYSTEM_PROMPT). Empty sends none."
  type        = string
  default     = ""

  validation {
    # Lambda allows 4 KB of environment variables per function in all.
    condition     = length(var.bedrock_system_prompt) <= 2048
    error_message = "bedrock_system_prompt must be at most 2048 characters: Lambda allows 4 KB of environment variables per function in all."
  }
}

variable "bedrock_max_tokens" {
  description = "Maximum output tokens of one reply (BEDROCK_MAX_TOKENS); also what each question reserves from the user's daily budget."
  type        = number
  default     = 1024

  validation {
    condition     = var.bedrock_max_tokens >= 1 && var.bedrock_max_tokens <= 100000 && floor(var.bedrock_max_tokens) == var.bedrock_max_tokens
    error_message = "bedrock_max_tokens must be an integer between 1 and 100000."
  }
}

variable "bedrock_temperature" {
  description = "Sampling temperature, 0 to 1 (BEDROCK_TEMPERATURE). Null leaves the model's default."
  type        = number
  default     = null

  validation {
    condition     = var.bedrock_temperature == null ? true : var.bedrock_temperature >= 0 && var.bedrock_temperature <= 1
    error_message = "bedrock_temperature must be null (the model's default) or between 0 and 1."
  }
}

variable "context_max_messages" {
  description = "Stored turns of the session sent to the model, the new question included (CONTEXT_MAX_MESSAGES)."
  type        = number
  default     = 20

  validation {
    condition     = var.context_max_messages >= 1 && var.context_max_messages <= 500 && floor(var.context_max_messages) == var.context_max_messages
    error_message = "context_max_messages must be an integer between 1 and 500."
  }
}

variable "context_max_chars" {
  description = "Characters of history sent to the model (CONTEXT_MAX_CHARS): with the system prompt, what bounds a turn's input tokens (about 4 characters a token)."
  type        = number
  default     = 12000

  validation {
    condition     = var.context_max_chars >= 1 && var.context_max_chars <= 1000000 && floor(var.context_max_chars) == var.context_max_chars
    error_message = "context_max_chars must be an integer between 1 and 1000000."
  }
}

variable "bedrock_stall_gap_ms" {
  description = "Silence of the model's stream, in milliseconds, after which the reply is aborted and stored as failed (BEDROCK_STALL_GAP_MS)."
  type        = number
  default     = 10000

  validation {
    condition     = var.bedrock_stall_gap_ms >= 100 && var.bedrock_stall_gap_ms <= 600000 && floor(var.bedrock_stall_gap_ms) == var.bedrock_stall_gap_ms
    error_message = "bedrock_stall_gap_ms must be an integer between 100 and 600000."
  }
}

variable "bedrock_deadline_margin_ms" {
  description = "Milliseconds kept free before the respond function's timeout: a generation still running then is stopped and stored as truncated (BEDROCK_DEADLINE_MARGIN_MS)."
  type        = number
  default     = 3000

  validation {
    condition     = var.bedrock_deadline_margin_ms >= 0 && var.bedrock_deadline_margin_ms <= 60000 && floor(var.bedrock_deadline_margin_ms) == var.bedrock_deadline_margin_ms
    error_message = "bedrock_deadline_margin_ms must be an integer between 0 and 60000."
  }

  validation {
    condition     = var.bedrock_deadline_margin_ms < var.respond_timeout_seconds * 1000
    error_message = "bedrock_deadline_margin_ms must be less than respond_timeout_seconds * 1000: a margin as long as the timeout would truncate every reply before it starts."
  }
}

variable "daily_output_tokens_per_user" {
  description = "Output tokens one user may spend per UTC day (DAILY_OUTPUT_TOKENS_PER_USER); over it, questions get BUDGET_EXCEEDED until 00:00 UTC. At least bedrock_max_tokens."
  type        = number
  default     = 100000

  validation {
    condition     = var.daily_output_tokens_per_user >= 1 && var.daily_output_tokens_per_user <= 1000000000 && floor(var.daily_output_tokens_per_user) == var.daily_output_tokens_per_user
    error_message = "daily_output_tokens_per_user must be an integer between 1 and 1000000000."
  }

  validation {
    condition     = var.daily_output_tokens_per_user >= var.bedrock_max_tokens
    error_message = "daily_output_tokens_per_user must be at least bedrock_max_tokens: every question reserves bedrock_max_tokens, so a smaller budget would refuse every question."
  }
}

# ---------------------------------------------------------------------------------------------------
# Authorizer (JWT). Exactly one key source: an SSM SecureString holding an HS256 secret, or a JWKS URL.
# ---------------------------------------------------------------------------------------------------

variable "jwt_secret_parameter_name" {
  description = "Name of the SSM SecureString parameter holding the HS256 secret (e.g. /chatbot/prod/jwt-secret). The authorizer reads it at cold start; its value never passes through Terraform. Empty when jwt_jwks_url is used."
  type        = string
  default     = ""

  validation {
    condition     = var.jwt_secret_parameter_name == "" || can(regex("^/?[A-Za-z0-9_.\\-/]+$", var.jwt_secret_parameter_name))
    error_message = "jwt_secret_parameter_name must be an SSM parameter name (letters, digits, _ . - /)."
  }
}

variable "jwt_secret_kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the SecureString, if any. Empty for the AWS managed aws/ssm key, whose key policy already allows decryption through SSM."
  type        = string
  default     = ""

  validation {
    condition     = var.jwt_secret_kms_key_arn == "" || can(regex("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$", var.jwt_secret_kms_key_arn))
    error_message = "jwt_secret_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id or mrk-... multi-Region key id>), not an alias."
  }
}

variable "jwt_jwks_url" {
  description = "JWKS URL of the token issuer (Cognito or any OIDC provider). Empty when jwt_secret_parameter_name is used."
  type        = string
  default     = ""

  validation {
    condition     = (var.jwt_jwks_url == "") != (var.jwt_secret_parameter_name == "")
    error_message = "Set exactly one of jwt_jwks_url and jwt_secret_parameter_name."
  }

  validation {
    condition     = var.jwt_jwks_url == "" || startswith(var.jwt_jwks_url, "https://")
    error_message = "jwt_jwks_url must be an https:// URL."
  }
}

variable "jwt_issuer" {
  description = "Expected 'iss' claim; empty to skip the check."
  type        = string
  default     = ""
}

variable "jwt_audience" {
  description = "Expected 'aud' claim; empty to skip the check."
  type        = string
  default     = ""
}

variable "allowed_origins" {
  description = "Origin allow-list checked at the handshake (ALLOWED_ORIGINS). Empty allows any Origin, including clients that send none."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.allowed_origins : can(regex("^https?://[^/,]+$", origin))])
    error_message = "Each allowed origin must be scheme://host[:port], without a path or a comma."
  }
}

# ---------------------------------------------------------------------------------------------------
# API Gateway
# ---------------------------------------------------------------------------------------------------

variable "throttling_burst_limit" {
  description = "Stage default route throttling, burst (requests): the backstop behind the application's per-user limits, applied to each route for all clients together. At least max_connections_per_user * rate_limit_burst."
  type        = number
  default     = 500

  validation {
    condition     = var.throttling_burst_limit >= 1 && var.throttling_burst_limit <= 5000
    error_message = "throttling_burst_limit must be between 1 and 5000."
  }

  validation {
    condition     = var.throttling_burst_limit >= var.max_connections_per_user * var.rate_limit_burst
    error_message = "throttling_burst_limit must be at least max_connections_per_user * rate_limit_burst: the stage backstop must never cut what one user may legitimately send at once."
  }
}

variable "throttling_rate_limit" {
  description = "Stage default route throttling, steady rate (requests per second) of each route for all clients together. At least max_connections_per_user * rate_limit_per_second."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit >= 1 && var.throttling_rate_limit <= 10000
    error_message = "throttling_rate_limit must be between 1 and 10000."
  }

  validation {
    condition     = var.throttling_rate_limit >= var.max_connections_per_user * var.rate_limit_per_second
    error_message = "throttling_rate_limit must be at least max_connections_per_user * rate_limit_per_second: the stage backstop must never cut one user's steady rate."
  }
}

variable "execution_logging_level" {
  description = "API Gateway execution logging level (ERROR or INFO; OFF disables it). Data trace (full message bodies, tokens included) is always off."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ERROR", "INFO", "OFF"], var.execution_logging_level)
    error_message = "execution_logging_level must be ERROR, INFO or OFF."
  }
}

variable "manage_api_gateway_account" {
  description = "Set the account-level API Gateway CloudWatch Logs role (one per account and Region, shared by every API there; it replaces any role already set). The stage's access and execution logging fail to deploy without one, so the default sets it. Set false only where another stack already manages that setting; destroying it here resets the setting for every API in the Region (README: Deploying to AWS)."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------

variable "table_deletion_protection" {
  description = "Turn on deletion protection on both tables (turn it off before destroying the stack)."
  type        = bool
  default     = true
}

variable "table_point_in_time_recovery" {
  description = "Turn on point-in-time recovery on both tables."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------------------------------
# Monitoring
# ---------------------------------------------------------------------------------------------------

variable "alarm_email_addresses" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+$", address))])
    error_message = "Each alarm e-mail address must look like name@domain."
  }
}

variable "alarm_handler_error_threshold" {
  description = "HandlerError count in 5 minutes that raises the handler errors alarm."
  type        = number
  default     = 1
}

variable "alarm_delivery_failed_threshold" {
  description = "DeliveryFailed count in 5 minutes that raises the delivery failures alarm."
  type        = number
  default     = 5
}

variable "alarm_authorizer_refused_threshold" {
  description = "AuthorizerRefused count in 5 minutes that raises the authorizer failures spike alarm."
  type        = number
  default     = 50
}

variable "alarm_rate_limited_threshold" {
  description = "RateLimited count in 5 minutes that raises the rate limiting spike alarm."
  type        = number
  default     = 100
}

variable "alarm_closed_for_refusals_threshold" {
  description = "ConnectionClosedForRefusals count in 5 minutes that raises the flooding connections alarm."
  type        = number
  default     = 5
}

variable "alarm_api_error_threshold" {
  description = "API Gateway IntegrationError / ExecutionError count in 5 minutes that raises their alarms."
  type        = number
  default     = 5
}

variable "alarm_model_error_threshold" {
  description = "ModelError count in 5 minutes (model calls refused: access denied, unknown model, validation; or broken: stream exceptions, stalls) that raises the model errors alarm."
  type        = number
  default     = 5
}

variable "alarm_time_to_first_token_p95_ms" {
  description = "p95 TimeToFirstToken, in milliseconds, above which for 15 minutes the slow first token alarm fires."
  type        = number
  default     = 5000

  validation {
    condition     = var.alarm_time_to_first_token_p95_ms > 0
    error_message = "alarm_time_to_first_token_p95_ms must be a positive number of milliseconds."
  }
}

variable "alarm_hand_off_failed_threshold" {
  description = "HandOffFailed count in 5 minutes (questions whose answer the message function could not hand to respond: the user got an error) that raises the hand-off failures alarm."
  type        = number
  default     = 1
}
