terraform {
  required_providers {
    fake = {
      source  = "lathe/fake"
      version = ">= 1.0"
    }
  }
}

provider "fake" {
  region = "fake-region-2"
}

variable "password" {
  type        = string
  default     = "hunter2"
  description = "Shared secret."
  sensitive   = true
}

variable "replicas" {
  type    = number
  default = 2
}

data "fake_region" "current" {
  filter = "eu"
}

resource "fake_bucket" "data" {
  name   = "data"
  secret = var.password
  tags   = { team = "ml" }
  versioning {
    enabled = true
  }
}

resource "fake_bucket" "copies" {
  count      = var.replicas
  name       = "copy-${count.index}"
  tags       = { source = fake_bucket.data.arn, region = data.fake_region.current.name }
  depends_on = [fake_bucket.data]
}

resource "fake_job" "train" {
  model = "base"
  input = fake_bucket.data.tags["team"]

  provisioner "local-exec" {
    command = "echo ${self.id}"
  }
}

output "copies" {
  value       = fake_bucket.copies[*].name
  description = "Names of the copies."
}

output "secret" {
  value     = fake_bucket.data.secret
  sensitive = true
}
