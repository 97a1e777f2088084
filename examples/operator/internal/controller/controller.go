// Package controller holds the operator's reconcilers.
package controller

// Name is the controller's name, as the manager logs it.
const Name = "memcached-controller"
