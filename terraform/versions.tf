terraform {
  # 1.9 for variable validations that refer to other variables.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.19 is the first release that accepts the nodejs24.x runtime; 7.x may break the schema.
      version = ">= 6.19.0, < 7.0.0"
    }
  }
}

provider "aws" {
  region = var.aws_region
}
