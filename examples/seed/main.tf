# The seed's first half: the storage and identity a Bedrock model customization job needs,
# written as the Terraform AWS provider expects, so it applies unchanged with lathe.
#
#   lathe init && lathe apply            # against this project's local region (started for you)
#   lathe -target-env=aws apply          # against real AWS (standard credential chain)
#
# The training data comes from prepare_data.py, run by a local-exec provisioner.

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.35.0"
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

resource "aws_s3_bucket" "model_training" {
  bucket = "model-training-${data.aws_caller_identity.current.account_id}"
}

data "aws_iam_policy_document" "bedrock_trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["bedrock.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:bedrock:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:model-customization-job/*"]
    }
  }
}

data "aws_iam_policy_document" "bedrock_access" {
  statement {
    sid     = "AllowTrainingDataAccess"
    actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    resources = [
      aws_s3_bucket.model_training.arn,
      "${aws_s3_bucket.model_training.arn}/*",
    ]
  }
}

resource "aws_iam_policy" "bedrock_access" {
  name_prefix = "BedrockCM-"
  policy      = data.aws_iam_policy_document.bedrock_access.json
}

resource "aws_iam_role" "bedrock" {
  name_prefix         = "BedrockCM-"
  assume_role_policy  = data.aws_iam_policy_document.bedrock_trust.json
  managed_policy_arns = [aws_iam_policy.bedrock_access.arn]
}

resource "terraform_data" "training_data_fine_tune_v1" {
  input = "fine_tune_train_v1.jsonl"

  provisioner "local-exec" {
    command = "python prepare_data.py ${self.input}"
  }
}

resource "aws_s3_object" "training_data_fine_tune_v1" {
  bucket = aws_s3_bucket.model_training.id
  key    = "training_data_v1/${terraform_data.training_data_fine_tune_v1.output}"
  source = terraform_data.training_data_fine_tune_v1.output
}

output "bucket" {
  value = aws_s3_bucket.model_training.id
}

output "role_arn" {
  value = aws_iam_role.bedrock.arn
}

output "training_data_uri" {
  value = "s3://${aws_s3_object.training_data_fine_tune_v1.bucket}/${aws_s3_object.training_data_fine_tune_v1.key}"
}
