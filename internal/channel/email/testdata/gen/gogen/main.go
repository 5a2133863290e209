// Command gogen writes the Go-encoded part of the email regression corpus:
// messages built byte by byte with golang.org/x/text encoders, shaped after
// what real clients send and what help-desk bug trackers report garbled.
//
//	cd internal/channel/email && go run ./testdata/gen/gogen -out testdata/corpus
package main

import (
	"flag"
	"os"
)

func main() {
	out := flag.String("out", "testdata/corpus", "corpus directory")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		panic(err)
	}
	var all []sample
	all = append(all, japaneseSamples()...)
	all = append(all, chineseSamples()...)
	all = append(all, structure()...)
	all = append(all, machines()...)
	for _, s := range all {
		write(*out, s)
	}
}
