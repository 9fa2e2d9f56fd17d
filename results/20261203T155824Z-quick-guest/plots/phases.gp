set terminal svg size 568,560 dynamic noenhanced font 'sans,11' background '#ffffff'
set output 'phases.svg'
set title 'Write-back phases: time per MiB written (median of the runs, BPF collectors)'
set ylabel 'us per MiB'
set grid ytics
set key outside top center horizontal
set style data histogram
set style histogram rowstacked
set boxwidth 0.75
set style fill solid 0.8 border -1
set xtics rotate by -45 left font ',9'
set bmargin 14
plot 'phases.dat' using 2:xtic(1) title 'writepages (call time)' lc rgb '#4477aa', \
     '' using 3 title 'bio (submit to completion)' lc rgb '#ccbb44', \
     '' using 4 title 'end-I/O work (run time)' lc rgb '#aa3377'
