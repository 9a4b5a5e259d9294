# Both tables mirror src/data/table-definitions.ts, the definition DynamoDB Local is created from;
# a test fails when they drift apart.

locals {
  user_id_index_name = "userId-index"
}

resource "aws_dynamodb_table" "connections" {
  name                        = "${var.environment}-chatbot-connections"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "connectionId"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "connectionId"
    type = "S"
  }

  attribute {
    name = "userId"
    type = "S"
  }

  # Recipients of a user's message are found here; expiresAt rides along to tell live rows from ended ones,
  # connectedAt to rank connects that race for the last places under the per-user cap.
  global_secondary_index {
    name               = local.user_id_index_name
    hash_key           = "userId"
    projection_type    = "INCLUDE"
    non_key_attributes = ["expiresAt", "connectedAt"]
  }

  # Set at $connect (the connection's end plus a linger) and $disconnect (close plus a short grace), never
  # by frames (src/domain/connection-lifetime.ts). TTL deletion is late, so reads filter on it too.
  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}

resource "aws_dynamodb_table" "messages" {
  name                        = "${var.environment}-chatbot-messages"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "sessionKey"
  range_key                   = "itemKey"
  deletion_protection_enabled = var.deletion_protection_enabled

  attribute {
    name = "sessionKey"
    type = "S"
  }

  attribute {
    name = "itemKey"
    type = "S"
  }

  # Retention: MESSAGE_RETENTION_DAYS after the message is written.
  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags
}
