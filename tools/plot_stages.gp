# Time and bytes per stage per network, from tools/plot_results.py's stages.dat.
# gnuplot -e "datafile='docs/results/stages.dat'; outfile='docs/results/stages.svg'" plot_stages.gp
set terminal svg size 960,420 dynamic font "sans,11"
set output outfile
set multiplot layout 1,2 title "pangolin bench: one secure inference, 1 thread per party, loopback"
set style data histograms
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -20 noenhanced
set key top left
set grid ytics
set logscale y
set title "wall time (s, median)"
plot datafile using 2:xtic(1) title "merge", '' using 3 title "preprocess", '' using 4 title "online"
set title "bytes, both directions (MB)"
plot datafile using 5:xtic(1) title "preprocess", '' using 6 title "online"
unset multiplot
