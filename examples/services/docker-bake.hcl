# docker buildx bake: one image per service, from one go build.
variable "TAG" { default = "dev" }
group "default" { targets = ["api", "worker", "migrate"] }
target "_gofront" {
  dockerfile = "gofront.toml"
}
target "api" {
  inherits = ["_gofront"]
  target   = "api"
  tags     = ["services-api:${TAG}"]
}
target "worker" {
  inherits = ["_gofront"]
  target   = "worker"
  tags     = ["services-worker:${TAG}"]
}
target "migrate" {
  inherits = ["_gofront"]
  target   = "migrate"
  tags     = ["services-migrate:${TAG}"]
}
