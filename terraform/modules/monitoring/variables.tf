variable "name_prefix" {
  description = "Prefix of the topic, alarm and dashboard names ({environment}-websocket)."
  type        = string
}

variable "region" {
  description = "Region of the metrics the dashboard charts (the provider's Region)."
  type        = string
}

variable "environment" {
  description = "Environment name: the value of the 'environment' dimension of the project's metrics."
  type        = string
}

variable "service_name" {
  description = "Powertools service name: the value of the 'service' dimension of the project's metrics."
  type        = string
}

variable "metric_namespace" {
  description = "Namespace of the project's metrics."
  type        = string
}

variable "functions" {
  description = "The Lambda functions to watch, by handler name: function name, timeout, whether Lambda's Errors metric means failures (false for the authorizer, which refuses a token by throwing Unauthorized), whether other functions invoke it asynchronously (its own dashboard widgets: async event age and drops), and its duration alarm: the statistic (p99, Maximum...), the percentage of the timeout it must stay under, and the 5-minute periods in a row that raise it."
  type = map(object({
    function_name   = string
    timeout_seconds = number
    errors_alarm    = bool
    async           = bool
    duration_alarm = object({
      statistic = string
      percent   = number
      periods   = number
    })
  }))

  validation {
    condition     = alltrue([for fn in values(var.functions) : fn.duration_alarm.percent > 0 && fn.duration_alarm.percent <= 100 && fn.duration_alarm.periods >= 1])
    error_message = "Each duration_alarm percent must be in (0, 100] and periods at least 1."
  }
}

variable "dead_letter_queues" {
  description = "SQS queues where Lambda sends the asynchronous events it gave up on, by short name: the queue and the function whose events it holds. Any message there raises an alarm."
  type = map(object({
    queue_name    = string
    function_name = string
  }))
  default = {}
}

variable "api_id" {
  description = "Id of the WebSocket API (ApiId dimension)."
  type        = string
}

variable "stage_name" {
  description = "Stage of the WebSocket API (Stage dimension)."
  type        = string
}

variable "table_names" {
  description = "DynamoDB tables to watch for throttling, by short name."
  type        = map(string)
}

variable "index_names" {
  description = "DynamoDB global secondary indexes to watch for throttling, by short name: table and index name. An index's throttling has its own metrics (GlobalSecondaryIndexName dimension); the table's do not include it."
  type = map(object({
    table_name = string
    index_name = string
  }))
  default = {}
}

variable "alarm_email_addresses" {
  description = "E-mail addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "handler_error_threshold" {
  description = "HandlerError count in 5 minutes that raises the alarm."
  type        = number
  default     = 1
}

variable "delivery_failed_threshold" {
  description = "DeliveryFailed count in 5 minutes that raises the alarm."
  type        = number
  default     = 5
}

variable "authorizer_refused_threshold" {
  description = "AuthorizerRefused count in 5 minutes that raises the alarm."
  type        = number
  default     = 50
}

variable "rate_limited_threshold" {
  description = "RateLimited count in 5 minutes that raises the alarm."
  type        = number
  default     = 100
}

variable "closed_for_refusals_threshold" {
  description = "ConnectionClosedForRefusals count in 5 minutes that raises the alarm."
  type        = number
  default     = 5
}

variable "api_error_threshold" {
  description = "API Gateway IntegrationError / ExecutionError count in 5 minutes that raises the alarm."
  type        = number
  default     = 5
}

variable "model_error_threshold" {
  description = "ModelError count in 5 minutes that raises the alarm."
  type        = number
  default     = 5
}

variable "hand_off_failed_threshold" {
  description = "HandOffFailed count in 5 minutes that raises the alarm."
  type        = number
  default     = 1
}

variable "time_to_first_token_p95_ms" {
  description = "p95 TimeToFirstToken (ms) above which, for three 5-minute periods, the alarm fires."
  type        = number
  default     = 5000
}

variable "tags" {
  description = "Tags of the topic and the alarms."
  type        = map(string)
  default     = {}
}
