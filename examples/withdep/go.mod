module example.com/withdep

go 1.24

require gofront.test/greet v1.0.0
