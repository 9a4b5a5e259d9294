locals {
  # Every project metric carries exactly these dimensions (src/observability/metric-names.ts).
  project_dimensions = {
    service     = var.service_name
    environment = var.environment
  }

  api_dimensions = {
    ApiId = var.api_id
    Stage = var.stage_name
  }

  # The dimensions of each watched table and index, by short name.
  throttle_dimensions = merge(
    { for name, table in var.table_names : name => { TableName = table } },
    { for name, index in var.index_names : name => { TableName = index.table_name, GlobalSecondaryIndexName = index.index_name } },
  )
}

# Not KMS-encrypted: CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key.
resource "aws_sns_topic" "this" {
  name = "${var.name_prefix}-alarms"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}
