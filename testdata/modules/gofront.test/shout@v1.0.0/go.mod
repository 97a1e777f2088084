module gofront.test/shout

go 1.22
