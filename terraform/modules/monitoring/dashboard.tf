locals {
  region = var.region

  # [namespace, name, dimension, value, ...] rows in the exact dimension set the code emits.
  project_dimension_row = ["service", var.service_name, "environment", var.environment]

  project_count_widgets = [
    { title = "Connections opened / closed / refused", metrics = ["ConnectionOpened", "ConnectionClosed", "ConnectionRefused"] },
    { title = "Messages received / delivered / duplicate", metrics = ["MessageReceived", "MessageDelivered", "MessageDuplicate"] },
    { title = "Errors (handler, delivery, client)", metrics = ["HandlerError", "DeliveryFailed", "ClientError"] },
    { title = "Rate limited, refused handshakes, expired tokens", metrics = ["RateLimited", "ConnectionClosedForRefusals", "AuthorizerRefused", "AuthorizerAllowed", "TokenExpired"] },
    { title = "Connection lifetime: stale removed (410), ended closed, frames refused after close", metrics = ["StaleConnectionRemoved", "EndedConnectionClosed", "FrameRefusedUnknownConnection"] },
    { title = "Assistant: input / output tokens", metrics = ["InputTokens", "OutputTokens"] },
    { title = "Assistant: model errors, questions over the daily budget", metrics = ["ModelError", "BudgetExceeded"] },
    { title = "Answers: cancelled, recovered after a crashed attempt, refused while one streams, hand-offs failed", metrics = ["ReplyCancelled", "ReplyRecovered", "AnswerInProgress", "HandOffFailed"] },
  ]

  # Latency percentiles of the project's own metrics: one widget each, a line per statistic.
  project_percentile_widgets = [
    { title = "Reply latency (ms) p50 / p99", metric = "ReplyLatency", stats = ["p50", "p99"] },
    { title = "Assistant: time to first token (ms) p50 / p95", metric = "TimeToFirstToken", stats = ["p50", "p95"] },
    { title = "Assistant: model latency, Bedrock's own (ms) p50 / p95", metric = "ModelLatency", stats = ["p50", "p95"] },
  ]

  function_keys = sort(keys(var.functions))
  async_keys    = sort([for key, fn in var.functions : key if fn.async])

  # Per asynchronously invoked function: its invocations and failures, its duration against its
  # timeout, and Lambda's event queue in front of it (how old events get, how many it dropped).
  async_widgets = flatten([
    for key in local.async_keys : [
      {
        type = "metric"
        properties = {
          title   = "${key}: invocations, errors, throttles"
          region  = local.region
          view    = "timeSeries"
          stat    = "Sum"
          period  = 60
          metrics = [for name in ["Invocations", "Errors", "Throttles"] : ["AWS/Lambda", name, "FunctionName", var.functions[key].function_name, { label = lower(name) }]]
        }
      },
      {
        type = "metric"
        properties = {
          title  = "${key}: duration p95 / max (ms), timeout ${var.functions[key].timeout_seconds} s"
          region = local.region
          view   = "timeSeries"
          period = 60
          metrics = [
            for stat in ["p95", "Maximum"] : ["AWS/Lambda", "Duration", "FunctionName", var.functions[key].function_name, { stat = stat, label = stat }]
          ]
          annotations = { horizontal = [{ label = "timeout", value = var.functions[key].timeout_seconds * 1000 }] }
        }
      },
      {
        type = "metric"
        properties = {
          title  = "${key}: async events received, dropped; oldest event age (ms)"
          region = local.region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/Lambda", "AsyncEventsReceived", "FunctionName", var.functions[key].function_name, { stat = "Sum", label = "received" }],
            ["AWS/Lambda", "AsyncEventsDropped", "FunctionName", var.functions[key].function_name, { stat = "Sum", label = "dropped" }],
            ["AWS/Lambda", "AsyncEventAge", "FunctionName", var.functions[key].function_name, { stat = "Maximum", label = "age max (ms)", yAxis = "right" }],
          ]
        }
      },
    ]
  ])

  dead_letter_widgets = [
    for key in sort(keys(var.dead_letter_queues)) : {
      type = "metric"
      properties = {
        title  = "${key} dead-letter queue: messages, oldest (s)"
        region = local.region
        view   = "timeSeries"
        stat   = "Maximum"
        period = 60
        metrics = [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.dead_letter_queues[key].queue_name, { label = "messages" }],
          ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.dead_letter_queues[key].queue_name, { label = "oldest (s)", yAxis = "right" }],
        ]
      }
    }
  ]

  widgets = concat(
    [
      for widget in local.project_count_widgets : {
        type = "metric"
        properties = {
          title   = widget.title
          region  = local.region
          view    = "timeSeries"
          stat    = "Sum"
          period  = 60
          metrics = [for name in widget.metrics : concat([var.metric_namespace, name], local.project_dimension_row)]
        }
      }
    ],
    [
      for widget in local.project_percentile_widgets : {
        type = "metric"
        properties = {
          title   = widget.title
          region  = local.region
          view    = "timeSeries"
          period  = 60
          metrics = [for stat in widget.stats : concat([var.metric_namespace, widget.metric], local.project_dimension_row, [{ stat = stat, label = stat }])]
        }
      }
    ],
    [
      {
        type = "metric"
        properties = {
          title  = "Lambda errors and throttles"
          region = local.region
          view   = "timeSeries"
          stat   = "Sum"
          period = 60
          metrics = [
            for pair in setproduct(local.function_keys, ["Errors", "Throttles"]) :
            ["AWS/Lambda", pair[1], "FunctionName", var.functions[pair[0]].function_name, { label = "${pair[0]} ${lower(pair[1])}" }]
          ]
        }
      },
      {
        type = "metric"
        properties = {
          title   = "Lambda duration p99 (ms)"
          region  = local.region
          view    = "timeSeries"
          stat    = "p99"
          period  = 60
          metrics = [for key in local.function_keys : ["AWS/Lambda", "Duration", "FunctionName", var.functions[key].function_name, { label = key }]]
        }
      },
      {
        type = "metric"
        properties = {
          title  = "API Gateway: connects, messages, errors"
          region = local.region
          view   = "timeSeries"
          stat   = "Sum"
          period = 60
          metrics = [
            for name in ["ConnectCount", "MessageCount", "ClientError", "IntegrationError", "ExecutionError"] :
            ["AWS/ApiGateway", name, "ApiId", var.api_id, "Stage", var.stage_name]
          ]
        }
      },
      {
        type = "metric"
        properties = {
          title  = "API Gateway integration latency p50 / p99 (ms)"
          region = local.region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/ApiGateway", "IntegrationLatency", "ApiId", var.api_id, "Stage", var.stage_name, { stat = "p50", label = "p50" }],
            ["AWS/ApiGateway", "IntegrationLatency", "ApiId", var.api_id, "Stage", var.stage_name, { stat = "p99", label = "p99" }],
          ]
        }
      },
      {
        type = "metric"
        properties = {
          title  = "DynamoDB throttle events"
          region = local.region
          view   = "timeSeries"
          stat   = "Sum"
          period = 60
          metrics = [
            for pair in setproduct(sort(keys(local.throttle_dimensions)), ["ReadThrottleEvents", "WriteThrottleEvents"]) :
            concat(["AWS/DynamoDB", pair[1]], flatten([for key in sort(keys(local.throttle_dimensions[pair[0]])) : [key, local.throttle_dimensions[pair[0]][key]]]), [{ label = "${pair[0]} ${pair[1]}" }])
          ]
        }
      },
    ],
    local.async_widgets,
    local.dead_letter_widgets,
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({
    widgets = [
      for index, widget in local.widgets : merge(widget, {
        x      = (index % 2) * 12
        y      = floor(index / 2) * 6
        width  = 12
        height = 6
      })
    ]
  })
}
