output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_metrics" {
  description = "The metrics each alarm reads, by alarm name: namespace, metric name and dimensions."
  value = merge(
    {
      for alarm in concat(
        values(aws_cloudwatch_metric_alarm.project),
        values(aws_cloudwatch_metric_alarm.lambda_errors),
        values(aws_cloudwatch_metric_alarm.lambda_throttles),
        values(aws_cloudwatch_metric_alarm.lambda_duration),
        values(aws_cloudwatch_metric_alarm.dead_letter_queue),
        [aws_cloudwatch_metric_alarm.time_to_first_token, aws_cloudwatch_metric_alarm.api_integration_errors, aws_cloudwatch_metric_alarm.api_execution_errors],
      ) : alarm.alarm_name => [{ namespace = alarm.namespace, metric_name = alarm.metric_name, dimensions = alarm.dimensions }]
    },
    {
      for alarm in values(aws_cloudwatch_metric_alarm.dynamodb_throttles) : alarm.alarm_name => [
        for query in alarm.metric_query : { namespace = query.metric[0].namespace, metric_name = query.metric[0].metric_name, dimensions = query.metric[0].dimensions } if length(query.metric) > 0
      ]
    },
  )
}

output "alarm_actions" {
  description = "The topics each alarm notifies, by alarm name, when it fires (alarm) and recovers (ok)."
  value = {
    for alarm in concat(
      values(aws_cloudwatch_metric_alarm.project),
      values(aws_cloudwatch_metric_alarm.lambda_errors),
      values(aws_cloudwatch_metric_alarm.lambda_throttles),
      values(aws_cloudwatch_metric_alarm.lambda_duration),
      values(aws_cloudwatch_metric_alarm.dead_letter_queue),
      [aws_cloudwatch_metric_alarm.time_to_first_token, aws_cloudwatch_metric_alarm.api_integration_errors, aws_cloudwatch_metric_alarm.api_execution_errors],
      values(aws_cloudwatch_metric_alarm.dynamodb_throttles),
    ) : alarm.alarm_name => { alarm = alarm.alarm_actions, ok = alarm.ok_actions }
  }
}

output "alarm_statistics" {
  description = "How each single-metric alarm reads its metric, by alarm name: statistic (or extended statistic), periods, threshold and comparison."
  value = {
    for alarm in concat(
      values(aws_cloudwatch_metric_alarm.project),
      values(aws_cloudwatch_metric_alarm.lambda_errors),
      values(aws_cloudwatch_metric_alarm.lambda_throttles),
      values(aws_cloudwatch_metric_alarm.lambda_duration),
      values(aws_cloudwatch_metric_alarm.dead_letter_queue),
      [aws_cloudwatch_metric_alarm.time_to_first_token, aws_cloudwatch_metric_alarm.api_integration_errors, aws_cloudwatch_metric_alarm.api_execution_errors],
      ) : alarm.alarm_name => {
      statistic           = alarm.statistic != null ? alarm.statistic : alarm.extended_statistic
      evaluation_periods  = alarm.evaluation_periods
      threshold           = alarm.threshold
      comparison_operator = alarm.comparison_operator
    }
  }
}
