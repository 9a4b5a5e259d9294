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

run "refuses_an_unknown_responder" {
  command = plan

  variables {
    responder = "openai"
  }

  expect_failures = [var.responder]
}

run "refuses_a_wildcard_model_id" {
  command = plan

  variables {
    bedrock_model_id = "anthropic.*"
  }

  expect_failures = [var.bedrock_model_id]
}

run "refuses_a_profile_arn_without_its_models" {
  command = plan

  variables {
    bedrock_model_id = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
  }

  expect_failures = [var.bedrock_inference_profile_model_arns]
}

run "refuses_profile_models_beside_a_model_id" {
  command = plan

  variables {
    bedrock_inference_profile_model_arns = ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
  }

  expect_failures = [var.bedrock_inference_profile_model_arns]
}

run "refuses_a_profile_model_that_is_not_a_foundation_model_arn" {
  command = plan

  variables {
    bedrock_model_id                     = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0"
    bedrock_inference_profile_model_arns = ["arn:aws:bedrock:*::foundation-model/*"]
  }

  expect_failures = [var.bedrock_inference_profile_model_arns]
}

run "refuses_a_temperature_above_one" {
  command = plan

  variables {
    bedrock_temperature = 1.5
  }

  expect_failures = [var.bedrock_temperature]
}

run "refuses_a_fractional_max_tokens" {
  command = plan

  variables {
    bedrock_max_tokens = 100.5
  }

  expect_failures = [var.bedrock_max_tokens]
}

run "refuses_a_daily_budget_below_max_tokens" {
  command = plan

  variables {
    bedrock_max_tokens           = 1024
    daily_output_tokens_per_user = 1023
  }

  expect_failures = [var.daily_output_tokens_per_user]
}

run "refuses_a_deadline_margin_as_long_as_the_timeout" {
  command = plan

  variables {
    respond_timeout_seconds    = 15
    bedrock_deadline_margin_ms = 15000
  }

  expect_failures = [var.bedrock_deadline_margin_ms]
}

run "refuses_a_system_prompt_too_long_for_lambda" {
  command = plan

  variables {
    bedrock_system_prompt = format("%2049s", "x")
  }

  expect_failures = [var.bedrock_system_prompt]
}

run "refuses_a_respond_timeout_above_lambdas_limit" {
  command = plan

  variables {
    respond_timeout_seconds = 901
  }

  expect_failures = [var.respond_timeout_seconds]
}

run "refuses_a_route_timeout_above_the_integration_limit" {
  command = plan

  variables {
    lambda_timeout_seconds = 30
  }

  expect_failures = [var.lambda_timeout_seconds]
}

run "refuses_three_retries_of_an_async_event" {
  command = plan

  variables {
    respond_max_retry_attempts = 3
  }

  expect_failures = [var.respond_max_retry_attempts]
}

run "refuses_an_event_age_under_a_minute" {
  command = plan

  variables {
    respond_max_event_age_seconds = 59
  }

  expect_failures = [var.respond_max_event_age_seconds]
}

run "refuses_an_event_age_over_six_hours" {
  command = plan

  variables {
    respond_max_event_age_seconds = 21601
  }

  expect_failures = [var.respond_max_event_age_seconds]
}

run "refuses_a_dead_letter_retention_over_14_days" {
  command = plan

  variables {
    respond_dead_letter_retention_days = 15
  }

  expect_failures = [var.respond_dead_letter_retention_days]
}

run "refuses_respond_memory_outside_256_to_512_mb" {
  command = plan

  variables {
    respond_memory_size = 1024
  }

  expect_failures = [var.respond_memory_size]
}

run "refuses_a_reply_persist_size_of_zero" {
  command = plan

  variables {
    reply_persist_chars = 0
  }

  expect_failures = [var.reply_persist_chars]
}
