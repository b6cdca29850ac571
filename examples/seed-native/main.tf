# The seed's first half with native data preparation: a `lathe_dataset` turns DialogSum-shaped
# Parquet into Bedrock's fine-tuning JSONL, and the object's key carries the dataset's version,
# so a changed recipe (or changed source data) uploads under a new key and replaces the object.
#
#   lathe init && lathe apply            # against this project's local region (started for you)
#   lathe -target-env=aws apply          # against real AWS (standard credential chain)
#
# dialogsum.parquet is demo data (`lathe data synth dialogsum --rows 300 --seed 1`).

terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.35.0"
    }
  }
}

variable "sample_seed" {
  description = "The seed of the training sample; a new seed is a new dataset version."
  type        = number
  default     = 42
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

# What prepare_data.py does in the seed, as a recipe: drop the id and topic columns, rename
# dialogue/summary to prompt/completion, and keep a seeded sample of 100 rows.
resource "lathe_dataset" "v1" {
  source       = "dialogsum.parquet"
  drop_columns = ["id", "topic"]
  rename_columns = {
    dialogue = "prompt"
    summary  = "completion"
  }
  sample = {
    n    = 100
    seed = var.sample_seed
  }
  format = "fine-tuning"
}

resource "aws_s3_object" "training_data" {
  bucket = aws_s3_bucket.model_training.id
  key    = "training_data/${lathe_dataset.v1.version}/train.jsonl"
  source = lathe_dataset.v1.path
}

output "bucket" {
  value = aws_s3_bucket.model_training.id
}

output "role_arn" {
  value = aws_iam_role.bedrock.arn
}

output "training_data_uri" {
  value = "s3://${aws_s3_object.training_data.bucket}/${aws_s3_object.training_data.key}"
}
