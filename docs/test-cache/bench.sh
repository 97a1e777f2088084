#!/bin/sh
# 3 rounds, plain and prog interleaved: cold (empty cache) then warm.
set -e
for r in 1 2 3; do
  for mode in plain prog; do
    rm -rf /w/c/$mode; mkdir -p /w/c/$mode
    sh /w/step.sh $mode /w/c/$mode cold$r
    sh /w/step.sh $mode /w/c/$mode warm$r
  done
done
