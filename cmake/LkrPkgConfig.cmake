# lkr_install_pkgconfig(TEMPLATE <file.pc.in> OUTPUT <file.pc>)
#
# Installs lockrecover.pc into <libdir>/pkgconfig. The file is configured at
# install time, not at configure time, so that "cmake --install --prefix X"
# (and a changed CMAKE_INSTALL_PREFIX) writes X into it. DESTDIR is honoured
# by the install rule itself and never ends up inside the file.
#
# Template variables: CMAKE_INSTALL_PREFIX (the real install prefix),
# LKR_PC_LIBDIR, LKR_PC_INCLUDEDIR (already made prefix-relative where
# possible), PROJECT_VERSION, PROJECT_DESCRIPTION.

function(lkr_install_pkgconfig)
  cmake_parse_arguments(ARG "" "TEMPLATE;OUTPUT" "" ${ARGN})

  # GNUInstallDirs directories are normally relative to the prefix; keep them
  # relative to ${prefix} in the .pc file, and absolute only if given so.
  foreach(kind LIBDIR INCLUDEDIR)
    set(dir "${CMAKE_INSTALL_${kind}}")
    if(IS_ABSOLUTE "${dir}")
      set(pc_${kind} "${dir}")
    else()
      set(pc_${kind} "\${prefix}/${dir}")
    endif()
  endforeach()

  get_filename_component(out_dir "${ARG_OUTPUT}" DIRECTORY)
  install(CODE "
    set(LKR_PC_LIBDIR [==[${pc_LIBDIR}]==])
    set(LKR_PC_INCLUDEDIR [==[${pc_INCLUDEDIR}]==])
    set(PROJECT_VERSION [==[${PROJECT_VERSION}]==])
    set(PROJECT_DESCRIPTION [==[${PROJECT_DESCRIPTION}]==])
    configure_file([==[${ARG_TEMPLATE}]==] [==[${ARG_OUTPUT}]==] @ONLY)
  " COMPONENT Development)
  install(FILES "${ARG_OUTPUT}"
    DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    COMPONENT Development)
endfunction()
