resource "aws_iam_role" "this" {
  name = var.function_name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  tags = var.tags
}

locals {
  base_statements = [
    {
      Sid      = "WriteOwnLogGroup"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
    },
    {
      # X-Ray has no resource-level permissions for these two actions: '*' is the only valid resource.
      Sid      = "XRayTracing"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = ["*"]
    },
  ]

  extra_statements = [
    for statement in var.policy_statements : merge(
      {
        Sid      = statement.sid
        Effect   = "Allow"
        Action   = statement.actions
        Resource = statement.resources
      },
      # Condition only when there is one (a filtered object, so both shapes stay one type).
      {
        for key, value in {
          Condition = { for condition in statement.conditions : condition.test => { (condition.variable) = condition.values } }
        } : key => value if length(statement.conditions) > 0
      },
    )
  ]
}

resource "aws_iam_role_policy" "this" {
  name = "${var.function_name}-least-privilege"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat(local.base_statements, local.extra_statements)
  })
}
