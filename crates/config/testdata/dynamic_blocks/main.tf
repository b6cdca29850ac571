variable "rules" {
  default = {
    http  = 80
    https = 443
  }
}

resource "aws_security_group" "web" {
  name = "web"

  dynamic "ingress" {
    for_each = var.rules
    iterator = rule
    content {
      description = rule.key
      from_port   = rule.value
    }
  }
}

output "ports" {
  value = [for name, port in var.rules : port]
}
