# The other documented configurations, planned against the mocked provider: a JWKS authorizer, a
# customer managed (multi-Region) KMS key for the SSM secret, and an account whose API Gateway
# CloudWatch role is managed elsewhere.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  aws_region    = "eu-west-1"
  environment   = "prod"
  artifacts_dir = "tests/artifacts"
}

run "jwks_authorizer" {
  command = plan

  variables {
    jwt_jwks_url = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE/.well-known/jwks.json"
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement : [
          for action in statement.Action : !startswith(action, "ssm:") && !startswith(action, "kms:")
        ]
      ]
    ]))
    error_message = "With a JWKS URL no function may read SSM parameters or use KMS."
  }

  assert {
    condition     = module.api.routes["$connect"].authorization_type == "CUSTOM" && module.api.authorizer.uri == module.functions["authorizer"].invoke_arn
    error_message = "$connect must still be guarded by the authorizer function."
  }
}

run "multi_region_kms_key" {
  command = plan

  variables {
    jwt_secret_parameter_name = "/chatbot/prod/jwt-secret"
    jwt_secret_kms_key_arn    = "arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["authorizer"].policy).Statement : statement if contains(statement.Action, "kms:Decrypt")
      ] == [{
        Sid       = "DecryptJwtSecretThroughSsm"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"]
        Condition = { StringEquals = { "kms:ViaService" = ["ssm.eu-west-1.amazonaws.com"] } }
    }]
    error_message = "With a customer managed key the authorizer may decrypt with that key (a multi-Region mrk- key included), through SSM in this Region only."
  }
}

run "api_gateway_account_managed_elsewhere" {
  command = plan

  variables {
    jwt_secret_parameter_name  = "/chatbot/prod/jwt-secret"
    manage_api_gateway_account = false
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.this) == 0 && length(aws_iam_role_policy_attachment.this) == 0
    error_message = "With manage_api_gateway_account = false the stack must leave the account's API Gateway setting and role alone."
  }

  assert {
    condition     = module.api.default_route_settings.logging_level == "ERROR" && module.api.log_retention_days == { access = 365, execution = 365 }
    error_message = "The stage still logs (into the role the account already has), with the documented retention."
  }
}
