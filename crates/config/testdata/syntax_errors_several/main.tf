variable "region" {
  default = 
}

locals {
  fine = "ok"
}

output "broken" {
  value = [1, 2
}

resource "terraform_data" "x" {
  input = "a" "b"
}
