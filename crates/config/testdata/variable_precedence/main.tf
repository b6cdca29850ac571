variable "from_default" {
  default = "default"
}

variable "from_env" {
  default = "default"
}

variable "from_tfvars" {
  default = "default"
}

variable "from_auto" {
  default = "default"
}

variable "from_cli" {
  default = "default"
}

variable "count_of" {
  type = number
}

variable "tags" {
  type = map(string)
}

variable "list_from_cli" {
  type = list(number)
}

variable "from_var_file" {
  default = "default"
}
