# Variable validations: what a plan refuses, and the edge values it accepts.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  aws_region                = "eu-west-1"
  environment               = "prod"
  jwt_secret_parameter_name = "/chatbot/prod/jwt-secret"
  artifacts_dir             = "tests/artifacts"
}

run "refuses_a_kms_alias" {
  command = plan

  variables {
    jwt_secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/chatbot"
  }

  expect_failures = [var.jwt_secret_kms_key_arn]
}

run "refuses_a_malformed_multi_region_key_id" {
  command = plan

  variables {
    jwt_secret_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/mrk-not-hex"
  }

  expect_failures = [var.jwt_secret_kms_key_arn]
}

run "refuses_two_key_sources" {
  command = plan

  variables {
    jwt_jwks_url = "https://issuer.example.com/.well-known/jwks.json"
  }

  expect_failures = [var.jwt_jwks_url]
}

run "refuses_a_stage_burst_below_one_users_burst" {
  command = plan

  variables {
    max_connections_per_user = 5
    rate_limit_burst         = 10
    throttling_burst_limit   = 49
  }

  expect_failures = [var.throttling_burst_limit]
}

run "refuses_a_stage_rate_below_one_users_rate" {
  command = plan

  variables {
    max_connections_per_user = 5
    rate_limit_per_second    = 2
    throttling_rate_limit    = 9
  }

  expect_failures = [var.throttling_rate_limit]
}

run "refuses_a_log_retention_cloudwatch_does_not_offer" {
  command = plan

  variables {
    log_retention_days = 42
  }

  expect_failures = [var.log_retention_days]
}

run "refuses_memory_outside_256_to_512_mb" {
  command = plan

  variables {
    lambda_memory_size = 1024
  }

  expect_failures = [var.lambda_memory_size]
}
