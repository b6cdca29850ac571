variable "env" {
  type    = string
  default = "Dev"
}
locals {
  prefix = lower(format("%s-%s", var.env, "lathe"))
  parts  = split("-", local.prefix)
}
resource "fake_bucket" "data" {
  name = "${local.prefix}-${length(local.parts)}"
  tags = merge({ env = var.env }, { count = tostring(length(local.parts)) })
}
