variable "environment" {
  description = "Environment name; tables are {environment}-chatbot-connections and {environment}-chatbot-messages."
  type        = string
}

variable "deletion_protection_enabled" {
  description = "Deletion protection on both tables."
  type        = bool
  default     = true
}

variable "point_in_time_recovery_enabled" {
  description = "Point-in-time recovery on both tables."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for encryption at rest; null for the AWS managed aws/dynamodb key."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of both tables."
  type        = map(string)
  default     = {}
}
