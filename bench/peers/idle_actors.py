# idle actors: N asyncio tasks, each awaiting its own queue and holding its id;
# then ask the last one for its id.
import asyncio, sys


async def idle(id, inbox):
    while True:
        reply = await inbox.get()
        reply.set_result(id)


async def main(n):
    inboxes = [asyncio.Queue() for _ in range(n)]
    tasks = [asyncio.create_task(idle(i, q)) for i, q in enumerate(inboxes)]
    await asyncio.sleep(0)  # every task starts and blocks in get()
    reply = asyncio.get_running_loop().create_future()
    inboxes[-1].put_nowait(reply)
    print(len(tasks), await reply)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


asyncio.run(main(int(sys.argv[1])))
