module gofront.test/greet

go 1.22
