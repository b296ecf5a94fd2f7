%% idle actors: spawn N processes, each blocked in receive and holding its id;
%% then ask the last one for its id. Needs `erl +P` above N for N > 262144.
-module(idle_actors).
-export([main/1]).

idle(Id) ->
    receive {get, From} -> From ! {id, Id}, idle(Id) end.

main([A]) ->
    N = list_to_integer(A),
    Pids = [spawn(fun() -> idle(I) end) || I <- lists:seq(0, N - 1)],
    lists:last(Pids) ! {get, self()},
    receive {id, Id} -> io:format("~p ~p~n", [length(Pids), Id]) end,
    halt().
