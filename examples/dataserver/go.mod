module example.com/dataserver

go 1.24
