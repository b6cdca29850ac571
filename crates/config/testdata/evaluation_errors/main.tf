variable "settings" {
  default = { epochs = 2, batch = 8 }
}

locals {
  missing_attribute = var.settings.learning_rate
  bad_index         = ["a", "b"][5]
  null_attribute    = local.nothing.x
  nothing           = null
  divide            = 1 / 0
  interpolate_list  = "values: ${[1, 2]}"
}
