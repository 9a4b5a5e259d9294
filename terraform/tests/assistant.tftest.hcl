# The assistant (responder bedrock, the default): the respond function's Bedrock permission for each
# shape of bedrock_model_id, its environment (and the budget settings the message function keeps), and
# the model alarms.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  aws_region                = "eu-west-1"
  environment               = "prod"
  jwt_secret_parameter_name = "/chatbot/prod/jwt-secret"
  artifacts_dir             = "tests/artifacts"
}

run "foundation_model_id" {
  command = plan

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement if statement.Sid == "InvokeConfiguredModel"
      ] == [{
        Sid      = "InvokeConfiguredModel"
        Effect   = "Allow"
        Action   = ["bedrock:InvokeModelWithResponseStream"]
        Resource = ["arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"]
    }]
    error_message = "With a foundation model id the respond function may stream from that model, in this Region, and nothing else."
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement : [
          for action in statement.Action : !startswith(action, "bedrock:")
        ]
      ] if name != "respond"
    ]))
    error_message = "Only the respond function may call Bedrock (the message function hands the answer to it)."
  }

  assert {
    condition = tomap(merge(local.function_environment["respond"], {
      RESPONDER                    = "bedrock"
      REPLY_PERSIST_CHARS          = "2000"
      BEDROCK_MODEL_ID             = "anthropic.claude-3-haiku-20240307-v1:0"
      BEDROCK_MAX_TOKENS           = "1024"
      CONTEXT_MAX_MESSAGES         = "20"
      CONTEXT_MAX_CHARS            = "12000"
      BEDROCK_STALL_GAP_MS         = "10000"
      BEDROCK_DEADLINE_MARGIN_MS   = "3000"
      DAILY_OUTPUT_TOKENS_PER_USER = "100000"
    })) == local.function_environment["respond"]
    error_message = "The respond function must get the assistant's settings (src/config/assistant-config.ts) from the variables."
  }

  assert {
    condition = (
      local.function_environment["message"]["RESPONDER"] == "bedrock" &&
      local.function_environment["message"]["BEDROCK_MAX_TOKENS"] == "1024" &&
      local.function_environment["message"]["DAILY_OUTPUT_TOKENS_PER_USER"] == "100000" &&
      length([for key in keys(local.function_environment["message"]) : key if startswith(key, "BEDROCK_") && key != "BEDROCK_MAX_TOKENS"]) == 0 &&
      !contains(keys(local.function_environment["message"]), "CONTEXT_MAX_CHARS")
    )
    error_message = "The message function keeps only what reserving a question's tokens needs (RESPONDER, BEDROCK_MAX_TOKENS, DAILY_OUTPUT_TOKENS_PER_USER); the model's settings are respond's."
  }

  assert {
    condition = (
      length(setintersection(keys(local.function_environment["respond"]), ["BEDROCK_TEMPERATURE", "BEDROCK_SYSTEM_PROMPT", "BEDROCK_REGION", "BEDROCK_ENDPOINT"])) == 0 &&
      alltrue([for name, fn in local.functions : !contains(keys(local.function_environment[name]), "RESPONDER") if !contains(["message", "respond"], name)])
    )
    error_message = "Unset settings (temperature, prompt, Region) are left out so the model's defaults apply; BEDROCK_ENDPOINT is for the local fake only; only the respond function (and the message function's budget) get the assistant's settings."
  }

  assert {
    condition = (
      module.monitoring.alarm_metrics["prod-websocket-model-errors"] == [{ namespace = "ChatbotWebSocket", metric_name = "ModelError", dimensions = tomap({ service = "chatbot-websocket", environment = "prod" }) }] &&
      module.monitoring.alarm_metrics["prod-websocket-slow-first-token"] == [{ namespace = "ChatbotWebSocket", metric_name = "TimeToFirstToken", dimensions = tomap({ service = "chatbot-websocket", environment = "prod" }) }]
    )
    error_message = "The model errors and slow first token alarms must read ModelError and TimeToFirstToken in the project namespace with the service and environment dimensions."
  }
}

run "cross_region_inference_profile_id" {
  command = plan

  variables {
    bedrock_model_id = "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement.Resource if statement.Sid == "InvokeConfiguredModel"
      ] == [[
        "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
    ]]
    error_message = "With a cross-Region profile id the grant must be the profile in this account and Region, and its model (without the geo prefix) in every Region it may route to."
  }

  assert {
    condition     = local.function_environment["respond"]["BEDROCK_MODEL_ID"] == "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
    error_message = "The function must call the profile id as given."
  }
}

run "global_profile_id_in_another_region" {
  command = plan

  variables {
    bedrock_model_id = "global.anthropic.claude-sonnet-4-20250514-v1:0"
    bedrock_region   = "us-east-1"
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement.Resource if statement.Sid == "InvokeConfiguredModel"
      ] == [[
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0",
    ]]
    error_message = "A global profile called in bedrock_region must be granted there, with its model in every Region."
  }

  assert {
    condition     = local.function_environment["respond"]["BEDROCK_REGION"] == "us-east-1"
    error_message = "bedrock_region must reach the function as BEDROCK_REGION."
  }
}

run "us_gov_profile_id" {
  command = plan

  variables {
    aws_region       = "us-gov-west-1"
    bedrock_model_id = "us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0"
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement.Resource if statement.Sid == "InvokeConfiguredModel"
      ] == [[
        "arn:aws:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
    ]]
    error_message = "A geo prefix with a hyphen (us-gov.) must be recognised as a profile, not read as a provider."
  }
}

run "application_inference_profile_arn" {
  command = plan

  variables {
    bedrock_model_id = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
    bedrock_inference_profile_model_arns = [
      "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
      "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
    ]
  }

  assert {
    condition = [
      for statement in jsondecode(module.functions["respond"].policy).Statement : statement.Resource if statement.Sid == "InvokeConfiguredModel"
      ] == [[
        "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
    ]]
    error_message = "With a profile ARN the grant must be that ARN and exactly the foundation models listed in bedrock_inference_profile_model_arns."
  }
}

run "tuned_settings" {
  command = plan

  variables {
    bedrock_system_prompt        = "You are a concise assistant."
    bedrock_temperature          = 0.3
    bedrock_max_tokens           = 512
    daily_output_tokens_per_user = 512
  }

  assert {
    condition = (
      local.function_environment["respond"]["BEDROCK_SYSTEM_PROMPT"] == "You are a concise assistant." &&
      local.function_environment["respond"]["BEDROCK_TEMPERATURE"] == "0.3" &&
      local.function_environment["respond"]["BEDROCK_MAX_TOKENS"] == "512" &&
      local.function_environment["respond"]["DAILY_OUTPUT_TOKENS_PER_USER"] == "512" &&
      local.function_environment["message"]["BEDROCK_MAX_TOKENS"] == "512" &&
      local.function_environment["message"]["DAILY_OUTPUT_TOKENS_PER_USER"] == "512"
    )
    error_message = "A prompt, a temperature and a budget equal to max tokens (the smallest allowed) must reach the function."
  }
}

run "echo_responder" {
  command = plan

  variables {
    responder = "echo"
  }

  assert {
    condition = alltrue(flatten([
      for name, fn in local.functions : [
        for statement in jsondecode(module.functions[name].policy).Statement : [
          for action in statement.Action : !startswith(action, "bedrock:")
        ]
      ]
    ]))
    error_message = "Without the bedrock responder no function may call Bedrock."
  }

  assert {
    condition = alltrue([
      for name in ["message", "respond"] :
      local.function_environment[name]["RESPONDER"] == "echo" && length([for key in keys(local.function_environment[name]) : key if startswith(key, "BEDROCK_") || key == "DAILY_OUTPUT_TOKENS_PER_USER"]) == 0
    ])
    error_message = "The echo responder needs no model settings and no budget, in the message function or in respond."
  }
}
