terraform {
  required_version = 1.5

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      verison = ">= 5.0"
    }
    lathe = 3
  }

  backend "s3" {}
  unknown_setting = true
}
