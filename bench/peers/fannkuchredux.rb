# Benchmarks Game fannkuch-redux, single-threaded (classic C algorithm)
def fannkuch(n)
  perm = [0] * n
  perm1 = (0...n).to_a
  count = [0] * n
  max_flips = 0
  checksum = 0
  perm_count = 0
  r = n
  while true
    while r != 1
      count[r - 1] = r
      r -= 1
    end
    i = 0
    while i < n
      perm[i] = perm1[i]
      i += 1
    end
    flips = 0
    k = perm[0]
    while k != 0
      i = 0
      j = k
      while i < j
        t = perm[i]
        perm[i] = perm[j]
        perm[j] = t
        i += 1
        j -= 1
      end
      flips += 1
      k = perm[0]
    end
    max_flips = flips if flips > max_flips
    if perm_count % 2 == 0
      checksum += flips
    else
      checksum -= flips
    end
    while true
      return [checksum, max_flips] if r == n
      perm0 = perm1[0]
      i = 0
      while i < r
        perm1[i] = perm1[i + 1]
        i += 1
      end
      perm1[r] = perm0
      count[r] -= 1
      break if count[r] > 0
      r += 1
    end
    perm_count += 1
  end
end

n = ARGV[0].to_i
checksum, max_flips = fannkuch(n)
puts checksum
puts "Pfannkuchen(#{n}) = #{max_flips}"
