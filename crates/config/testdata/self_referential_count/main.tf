resource "terraform_data" "loop" {
  count = length(terraform_data.loop)
  input = "x"
}

data "aws_region" "current" {
  lifecycle {
    prevent_destroy = true
  }
}
