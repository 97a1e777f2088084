module gofront.test/units

go 1.22
