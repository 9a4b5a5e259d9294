terraform {
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # nodejs24.x (the default runtime) is accepted from 6.19.0.
      version = ">= 6.19.0"
    }
  }
}
