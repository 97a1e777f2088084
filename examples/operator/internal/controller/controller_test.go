package controller

import "testing"

func TestName(t *testing.T) {
	if Name == "" {
		t.Fatal("the controller has no name")
	}
}
