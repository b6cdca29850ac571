variable "epochs" {
  type    = number
  default = "three"
}

variable "tags" {
  type    = map(string)
  default = ["not", "a", "map"]
}

variable "bad_type" {
  type = strin
}
