%% Benchmarks Game fannkuch-redux, single process. The classic algorithm with
%% immutable data: the permutation is a list (a flip reverses its first K+1
%% elements), the count array is a tuple.
-module(fannkuchredux).
-export([main/1]).

main([A]) ->
    N = list_to_integer(A),
    {Checksum, MaxFlips} = loop(N, lists:seq(0, N - 1), erlang:make_tuple(N, 0), N, 0, 0, 0),
    io:format("~p~nPfannkuchen(~p) = ~p~n", [Checksum, N, MaxFlips]),
    halt().

loop(N, Perm1, Count0, R0, MaxFlips0, Checksum0, PermCount) ->
    {Count, R} = reset(Count0, R0),
    Flips = flips(Perm1, 0),
    MaxFlips = max(MaxFlips0, Flips),
    Checksum = case PermCount rem 2 of 0 -> Checksum0 + Flips; 1 -> Checksum0 - Flips end,
    case next(N, Perm1, Count, R) of
        done -> {Checksum, MaxFlips};
        {Perm1b, Countb, Rb} -> loop(N, Perm1b, Countb, Rb, MaxFlips, Checksum, PermCount + 1)
    end.

%% while r != 1: count[r-1] = r; r -= 1   (tuple positions are 1-based)
reset(Count, 1) -> {Count, 1};
reset(Count, R) -> reset(setelement(R, Count, R), R - 1).

flips([0 | _], F) -> F;
flips([K | _] = Perm, F) ->
    {Front, Back} = lists:split(K + 1, Perm),
    flips(lists:reverse(Front, Back), F + 1).

next(N, _Perm1, _Count, N) -> done;
next(N, [P0 | T], Count, R) ->
    {Front, Back} = lists:split(R, T),
    Perm1 = Front ++ [P0 | Back],
    C = element(R + 1, Count) - 1,
    Count1 = setelement(R + 1, Count, C),
    if C > 0 -> {Perm1, Count1, R};
       true -> next(N, Perm1, Count1, R + 1)
    end.
