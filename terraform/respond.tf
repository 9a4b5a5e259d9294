# The asynchronous hand-off: the message function invokes respond with InvocationType Event. Lambda
# queues the event, retries a failed attempt (respond_max_retry_attempts, about 1 then 2 minutes
# later), drops an event older than respond_max_event_age_seconds, and sends what it gave up on to
# this queue (README: "When the dead-letter queue alarm fires").

resource "aws_sqs_queue" "respond_dead_letter" {
  name                      = "${local.name_prefix}-respond-dlq"
  message_retention_seconds = var.respond_dead_letter_retention_days * 86400
  # SSE-SQS: encrypted at rest with a key SQS manages, so Lambda's destination needs no KMS grant.
  sqs_managed_sse_enabled = true

  tags = local.tags
}

resource "aws_lambda_function_event_invoke_config" "respond" {
  function_name                = module.functions["respond"].function_name
  maximum_retry_attempts       = var.respond_max_retry_attempts
  maximum_event_age_in_seconds = var.respond_max_event_age_seconds

  destination_config {
    on_failure {
      # Sent with respond's execution role (its SendFailedEventsToDeadLetterQueue statement).
      destination = aws_sqs_queue.respond_dead_letter.arn
    }
  }
}
