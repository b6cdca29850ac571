terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.35.0"
    }
  }
}

variable "project" {
  type    = string
  default = "dialogsum"
}

variable "hyperparameters" {
  type = object({
    epochs        = number
    batch_size    = optional(number, 8)
    learning_rate = optional(string, "0.00001")
  })
  default = { epochs = 2 }

  validation {
    condition     = var.hyperparameters.epochs >= 1 && var.hyperparameters.epochs <= 10
    error_message = "epochs must be between 1 and 10."
  }
}

locals {
  bucket_name = lower("${var.project}-${terraform.workspace}-training")
  data_prefix = "data/v${formatdate("YYYYMMDD", "2026-11-26T00:00:00Z")}"
  hyper       = { for key, value in var.hyperparameters : replace(title(replace(key, "_", " ")), " ", "") => tostring(value) }
  tags        = merge({ Project = var.project }, { ManagedBy = "lathe" })
}

resource "aws_s3_bucket" "training" {
  bucket        = local.bucket_name
  force_destroy = true
  tags          = local.tags
}

resource "aws_iam_role" "customization" {
  name = "${var.project}-customization"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "bedrock.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_bedrock_custom_model" "v1" {
  custom_model_name     = "${var.project}-v1"
  job_name              = "${var.project}-v1-job"
  base_model_identifier = "amazon.titan-text-lite-v1"
  role_arn              = aws_iam_role.customization.arn
  hyperparameters       = local.hyper

  training_data_config {
    s3_uri = "s3://${aws_s3_bucket.training.bucket}/${local.data_prefix}/train.jsonl"
  }

  output_data_config {
    s3_uri = "s3://${aws_s3_bucket.training.bucket}/output/"
  }
}

output "hyperparameters" {
  value = local.hyper
}

output "model_arn" {
  value = aws_bedrock_custom_model.v1.custom_model_arn
}

output "training_uri" {
  value = "s3://${aws_s3_bucket.training.bucket}/${local.data_prefix}/train.jsonl"
}
