// idle actors: N async functions, each awaiting its own mailbox and holding its id;
// then ask the last one for its id.
class Mailbox {
  constructor() { this.buf = []; this.waiter = null; }
  send(v) {
    const w = this.waiter;
    if (w) { this.waiter = null; w(v); } else this.buf.push(v);
  }
  recv() {
    if (this.buf.length) return Promise.resolve(this.buf.shift());
    return new Promise((r) => { this.waiter = r; });
  }
}

async function idle(id, inbox) {
  for (;;) {
    const reply = await inbox.recv();
    reply(id);
  }
}

const n = parseInt(process.argv[2], 10);
const inboxes = [];
for (let i = 0; i < n; i++) {
  const box = new Mailbox();
  inboxes.push(box);
  idle(i, box);
}
new Promise((r) => inboxes[n - 1].send(r)).then((id) => console.log(inboxes.length, id));
