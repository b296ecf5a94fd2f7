// idle actors: N goroutines, each blocked on its own channel and holding its id;
// then ask the last one for its id.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func idle(id int, inbox chan chan int) {
	for reply := range inbox {
		reply <- id
	}
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	inboxes := make([]chan chan int, n)
	for i := range inboxes {
		inboxes[i] = make(chan chan int)
		go idle(i, inboxes[i])
	}
	reply := make(chan int)
	inboxes[n-1] <- reply
	fmt.Println(len(inboxes), <-reply)
}
