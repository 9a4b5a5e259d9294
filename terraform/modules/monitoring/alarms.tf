# Every alarm notifies the topic when it fires and when it recovers. Descriptions say what the alarm
# means and what to look at first; docs/deploy.md has the longer runbook.

locals {
  project_alarms = {
    handler-errors = {
      metric_name = "HandlerError"
      threshold   = var.handler_error_threshold
      description = "Handlers hit unexpected errors (clients got INTERNAL_ERROR). First: CloudWatch Logs Insights on /aws/lambda/${var.name_prefix}-* for level ERROR, read the stack and the requestId; check recent deploys."
    }
    delivery-failures = {
      metric_name = "DeliveryFailed"
      threshold   = var.delivery_failed_threshold
      description = "Posts to @connections failed with errors other than 410 Gone (messages not delivered). First: search the message/ping/history logs for DeliveryFailed; check for LimitExceededException (API Gateway throttling) or AccessDenied (ManageConnections policy, stage name)."
    }
    authorizer-refused-spike = {
      metric_name = "AuthorizerRefused"
      threshold   = var.authorizer_refused_threshold
      description = "Many handshakes refused by the JWT authorizer. First: check the authorizer log's refusal reasons (expired, bad signature, iss/aud, Origin); a key rotation or a client release sending stale tokens is likely; a flood from few IPs is an attack (see the API access log sourceIp)."
    }
    rate-limited-spike = {
      metric_name = "RateLimited"
      threshold   = var.rate_limited_threshold
      description = "Many frames refused by the per-user rate limit. First: find the userIds in the handler logs for RATE_LIMITED; one abusive client or a client retry loop is likely; raise RATE_LIMIT_* only if legitimate traffic is hit."
    }
    flooding-connections-closed = {
      metric_name = "ConnectionClosedForRefusals"
      threshold   = var.closed_for_refusals_threshold
      description = "Connections closed by the server for sending too many refused frames (REFUSAL_LIMIT within REFUSAL_WINDOW_SECONDS). First: the handler logs' warnings for the userIds and their refusal codes; a flooding client or a client release sending invalid frames is likely."
    }
    model-errors = {
      metric_name = "ModelError"
      threshold   = var.model_error_threshold
      description = "Model calls refused or broken (users got ASSISTANT_UNAVAILABLE, or replies stored as failed). First: the respond function's log for the ModelError reason (the AWS error name): AccessDeniedException (model access not enabled in the Bedrock console, or the role's InvokeConfiguredModel ARNs), ResourceNotFoundException (bedrock_model_id), ValidationException (max tokens, temperature for this model), ModelStreamErrorException / stalled (Bedrock side: check the AWS Health Dashboard)."
    }
    hand-off-failures = {
      metric_name = "HandOffFailed"
      threshold   = var.hand_off_failed_threshold
      description = "The message function could not hand questions to the respond function (Lambda Invoke failed: the user got an error, no answer started). First: the message function's log for HandOffFailed and the AWS error: AccessDeniedException (its InvokeAsyncFunctions statement, RESPOND_FUNCTION_NAME), ResourceNotFoundException (respond not deployed), TooManyRequestsException (account concurrency)."
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "project" {
  for_each = local.project_alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = var.metric_namespace
  metric_name         = each.value.metric_name
  dimensions          = local.project_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

# Not for the authorizer: it refuses a token by throwing Unauthorized, so Lambda counts every refused
# handshake as an error. Its failures (JWKS or SSM unreachable included) are AuthorizerRefused, with
# the reason in its log, behind the authorizer-refused-spike alarm.
resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = { for name, fn in var.functions : name => fn if fn.errors_alarm }

  alarm_name          = "${var.name_prefix}-lambda-errors-${each.key}"
  alarm_description   = "Lambda ${each.value.function_name} failed invocations (crash, init failure or timeout; errors the middleware handles are HandlerError instead).${each.value.async ? " Each failed attempt counts: Lambda retries the event, then sends it to the dead-letter queue (its own alarm)." : ""} First: its log group for 'Task timed out', 'Runtime.' or ConfigurationError at init; roll back the last deploy if it started then."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = var.functions

  alarm_name          = "${var.name_prefix}-lambda-throttles-${each.key}"
  alarm_description   = "Lambda ${each.value.function_name} was throttled (account or reserved concurrency exhausted; clients see 500s or dropped frames). First: ConcurrentExecutions in the account and Region; request a quota increase or find the runaway function."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

# Route functions: p99 above 80% of the timeout for 15 minutes. respond: any invocation above 90% of its
# timeout, at once: its answers run long by design, so only one that reaches the deadline (stored as
# truncated) or hangs matters.
resource "aws_cloudwatch_metric_alarm" "lambda_duration" {
  for_each = var.functions

  alarm_name          = "${var.name_prefix}-lambda-duration-${each.key}"
  alarm_description   = "Lambda ${each.value.function_name} ${each.value.duration_alarm.statistic} duration above ${each.value.duration_alarm.percent}% of its ${each.value.timeout_seconds}s timeout ${each.value.duration_alarm.periods > 1 ? "for ${each.value.duration_alarm.periods * 5} minutes" : "in 5 minutes"} (timeouts are next${each.value.async ? "; answers stopped at the deadline are stored as truncated" : ""}). First: X-Ray traces of slow invocations (DynamoDB, @connections posts, the model); check DynamoDB throttling${each.value.async ? "; if long answers are legitimate, raise respond_timeout_seconds or lower bedrock_max_tokens" : ""}."
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = { FunctionName = each.value.function_name }
  statistic           = startswith(each.value.duration_alarm.statistic, "p") ? null : each.value.duration_alarm.statistic
  extended_statistic  = startswith(each.value.duration_alarm.statistic, "p") ? each.value.duration_alarm.statistic : null
  period              = 300
  evaluation_periods  = each.value.duration_alarm.periods
  threshold           = each.value.timeout_seconds * 10 * each.value.duration_alarm.percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

# An asynchronous event Lambda gave up on (every attempt failed, or it aged out): an answer that never
# ended on its own. One message is enough.
resource "aws_cloudwatch_metric_alarm" "dead_letter_queue" {
  for_each = var.dead_letter_queues

  alarm_name          = "${var.name_prefix}-dead-letter-${each.key}"
  alarm_description   = "Lambda gave up on ${each.value.function_name} events and sent them to ${each.value.queue_name} (every attempt failed, or the event aged out): those answers stayed streaming. First: the function's log (Lambda Errors alarm) for the cause; fix it, then replay each message's requestPayload as README 'When the dead-letter queue alarm fires' says (a replay ends the answer once; the alarm clears when the queue is empty)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

# p95 over 5 minutes, three periods in a row: a few slow answers are normal, a sustained slow first
# token means Bedrock is slow or the context sent is large.
resource "aws_cloudwatch_metric_alarm" "time_to_first_token" {
  alarm_name          = "${var.name_prefix}-slow-first-token"
  alarm_description   = "p95 time from the model call to its first text delta above ${var.time_to_first_token_p95_ms} ms for 15 minutes (users wait before the reply starts). First: ModelLatency and InputTokens on the dashboard (a larger context means a slower first token: CONTEXT_MAX_CHARS); Bedrock throttling (MODEL_BUSY) or a Regional slowdown; a cross-Region inference profile spreads the load."
  namespace           = var.metric_namespace
  metric_name         = "TimeToFirstToken"
  dimensions          = local.project_dimensions
  extended_statistic  = "p95"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.time_to_first_token_p95_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_integration_errors" {
  alarm_name          = "${var.name_prefix}-api-integration-errors"
  alarm_description   = "API Gateway got 4XX/5XX responses from Lambda integrations (includes $connect refusals such as the per-user connection cap). First: the access log (/aws/apigateway/${var.name_prefix}) for integrationError and routeKey, then that route's function log."
  namespace           = "AWS/ApiGateway"
  metric_name         = "IntegrationError"
  dimensions          = local.api_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.api_error_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_execution_errors" {
  alarm_name          = "${var.name_prefix}-api-execution-errors"
  alarm_description   = "API Gateway failed to call an integration (Lambda permission missing, function throttled or missing). First: the access log errorMessage and the API execution log group; check aws_lambda_permission source_arn and Lambda throttles."
  namespace           = "AWS/ApiGateway"
  metric_name         = "ExecutionError"
  dimensions          = local.api_dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.api_error_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  tags = var.tags
}

# Tables and global secondary indexes: an index's throttle events carry a GlobalSecondaryIndexName
# dimension and are not part of its table's metrics.
resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = local.throttle_dimensions

  alarm_name          = "${var.name_prefix}-dynamodb-throttles-${each.key}"
  alarm_description   = "DynamoDB throttled reads or writes on ${join(" ", values(each.value))} (on-demand tables throttle above twice their previous peak or a hot key). First: CloudWatch Contributor Insights / the table's metrics for the hot partition (one userId or sessionKey); handlers retry, so check HandlerError too."
  comparison_operator = "GreaterThanOrEqualToThreshold"
  evaluation_periods  = 1
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  metric_query {
    id          = "throttles"
    expression  = "reads + writes"
    label       = "Throttle events"
    return_data = true
  }

  metric_query {
    id = "reads"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = each.value
      period      = 300
      stat        = "Sum"
    }
  }

  metric_query {
    id = "writes"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = each.value
      period      = 300
      stat        = "Sum"
    }
  }

  tags = var.tags
}
