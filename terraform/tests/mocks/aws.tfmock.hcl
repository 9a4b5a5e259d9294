# The AWS provider mocked for `terraform test`: no credentials, no calls. Data sources and the
# computed attributes the assertions read get realistic, distinct values at plan time (a mocked
# provider otherwise leaves them unknown in a plan), so ARNs and policy documents render.
# Account 123456789012, Region eu-west-1 (the tests' aws_region), API id a1b2c3d4e5.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition = "aws"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_api.this
  override_during = plan
  values = {
    id            = "a1b2c3d4e5"
    execution_arn = "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_authorizer.this
  override_during = plan
  values = {
    id = "auth01"
  }
}

override_resource {
  target          = module.monitoring.aws_sns_topic.this
  override_during = plan
  values = {
    arn = "arn:aws:sns:eu-west-1:123456789012:alarms"
  }
}

override_resource {
  target          = module.tables.aws_dynamodb_table.connections
  override_during = plan
  values = {
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/connections"
  }
}

override_resource {
  target          = module.tables.aws_dynamodb_table.messages
  override_during = plan
  values = {
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/messages"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_integration.this["$connect"]
  override_during = plan
  values = {
    id = "int-connect"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_integration.this["$disconnect"]
  override_during = plan
  values = {
    id = "int-disconnect"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_integration.this["chat_message"]
  override_during = plan
  values = {
    id = "int-chat-message"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_integration.this["ping"]
  override_during = plan
  values = {
    id = "int-ping"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_integration.this["history"]
  override_during = plan
  values = {
    id = "int-history"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_integration.this["cancel"]
  override_during = plan
  values = {
    id = "int-cancel"
  }
}

override_resource {
  target          = module.api.aws_apigatewayv2_integration.this["$default"]
  override_during = plan
  values = {
    id = "int-default"
  }
}

override_resource {
  target          = module.functions["authorizer"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:authorizer"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:authorizer/invocations"
  }
}

override_resource {
  target          = module.functions["authorizer"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/authorizer"
  }
}

override_resource {
  target          = module.functions["connect"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:connect"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:connect/invocations"
  }
}

override_resource {
  target          = module.functions["connect"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/connect"
  }
}

override_resource {
  target          = module.functions["disconnect"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:disconnect"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:disconnect/invocations"
  }
}

override_resource {
  target          = module.functions["disconnect"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/disconnect"
  }
}

override_resource {
  target          = module.functions["message"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:message"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:message/invocations"
  }
}

override_resource {
  target          = module.functions["message"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/message"
  }
}

override_resource {
  target          = module.functions["ping"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:ping"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:ping/invocations"
  }
}

override_resource {
  target          = module.functions["ping"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/ping"
  }
}

override_resource {
  target          = module.functions["history"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:history"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:history/invocations"
  }
}

override_resource {
  target          = module.functions["history"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/history"
  }
}

override_resource {
  target          = module.functions["default"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:default"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:default/invocations"
  }
}

override_resource {
  target          = module.functions["default"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/default"
  }
}

override_resource {
  target          = module.functions["cancel"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:cancel"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:cancel/invocations"
  }
}

override_resource {
  target          = module.functions["cancel"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/cancel"
  }
}

# respond's ARN with its real name (prod-websocket-respond): the message function's invoke grant is
# built from the name, and a test compares the two.
override_resource {
  target          = module.functions["respond"].aws_lambda_function.this
  override_during = plan
  values = {
    arn        = "arn:aws:lambda:eu-west-1:123456789012:function:prod-websocket-respond"
    invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:prod-websocket-respond/invocations"
  }
}

override_resource {
  target          = module.functions["respond"].aws_cloudwatch_log_group.this
  override_during = plan
  values = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/respond"
  }
}

override_resource {
  target          = aws_sqs_queue.respond_dead_letter
  override_during = plan
  values = {
    arn = "arn:aws:sqs:eu-west-1:123456789012:prod-websocket-respond-dlq"
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/prod-websocket-respond-dlq"
  }
}
