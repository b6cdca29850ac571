# A first lathe configuration: built-in terraform_data resources, a local-exec provisioner,
# variables, locals and outputs. Run: lathe init && lathe plan && lathe apply -auto-approve

terraform {
  required_version = ">= 1.5"
  required_providers {
    terraform = {
      source = "terraform.io/builtin/terraform"
    }
  }
}

variable "name" {
  type        = string
  default     = "world"
  description = "Who to greet."
}

variable "repeat" {
  type    = number
  default = 2
}

locals {
  greeting = "Hello, ${var.name}!"
  tags     = { project = "hello", owner = lower(var.name) }
}

resource "terraform_data" "greeting" {
  input = local.greeting

  provisioner "local-exec" {
    command = "echo \"$GREETING\" && echo created ${self.id}"
    environment = {
      GREETING = self.output
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "echo goodbye from ${self.id}"
  }
}

resource "terraform_data" "echo" {
  count = var.repeat
  input = "${terraform_data.greeting.output} #${count.index + 1}"

  triggers_replace = [terraform_data.greeting.id]
}

output "greeting" {
  value = terraform_data.greeting.output
}

output "echoes" {
  value = terraform_data.echo[*].output
}

output "tags" {
  value = local.tags
}
