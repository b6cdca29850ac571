variable "region" {
  type    = string
  default = "us-east-1"
}

locals {
  location = "${var.regoin}-a"
  other    = var.nothing_like_it
}
