"""Raw name frequency tables, one set per community, as ``name weight`` entries.

Entries are separated by ``;``; the weight is the last word of an entry, so a name may
contain spaces (``Van der Berg 2``). A surname written ``Kowalski/Kowalska`` has a male
and a female form. Weights are rough relative frequencies among children in England; every
person the generator makes is an invented combination of these parts.
"""

# Turkish names are spelt with the dotless i (U+0131): not a confusable here.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Final

# community -> (share of households, girls, boys, surnames)
COMMUNITIES: Final[dict[str, tuple[float, str, str, str]]] = {
    "british": (
        0.62,
        """Olivia 40; Amelia 38; Isla 32; Ava 30; Ivy 25; Freya 24; Lily 24; Florence 23; Mia 22;
        Willow 21; Rosie 20; Sophia 20; Isabella 19; Grace 19; Daisy 18; Sienna 17; Poppy 17;
        Elsie 17; Emily 17; Ella 16; Evelyn 16; Phoebe 15; Sofia 15; Evie 15; Charlotte 15;
        Harper 14; Millie 14; Matilda 13; Maya 13; Sophie 13; Alice 13; Emilia 13; Isabelle 12;
        Ruby 12; Luna 12; Maisie 11; Aria 11; Penelope 10; Mila 10; Bonnie 10; Eva 10; Hallie 9;
        Eliza 9; Ada 9; Violet 9; Esme 9; Arabella 8; Imogen 8; Jessica 8; Delilah 8; Thea 8;
        Layla 8; Lucy 8; Chloe 8; Chloé 2; Zoe 6; Zoë 3; Hannah 6; Holly 6; Megan 6; Amber 6;
        Eleanor 6; Elizabeth 6; Scarlett 7; Georgia 6; Harriet 5; Lottie 5; Molly 6; Erin 6;
        Lacey 4; Libby 5; Nancy 5; Robyn 4; Summer 5; Sarah 3; Abigail 5; Amelie 5; Aurora 6;
        Beatrice 5; Bella 4; Clara 4; Edith 4; Eloise 5; Emma 4; Francesca 3; Gracie 5; Heidi 4;
        Iris 5; Jasmine 4; Julia 3; Katie 3; Lilly 4; Lola 5; Mabel 5; Martha 5; Nova 5; Paige 3;
        Renée 1; Rebecca 3; Rose 5; Sadie 4; Skye 4; Tilly 4; Victoria 3; Wren 3; Darcy 5;
        Darcie 3; Ellie 6; Elena 4; Gabriella 3; Hope 4; Jade 3; Kayla 3; Lara 4; Leah 5; Lexi 4;
        Lyla 4; Madison 3; Maddison 2; Naomi 3; Nina 3; Rosa 3; Savannah 3; Stella 4; Tia 3;
        Zara 5; Amara 3; Eden 3; Felicity 3; Annabelle 3; Anna 4; Alexandra 2; Catherine 2;
        Katherine 2; Natalie 2; Georgina 2; Caitlin 3; Courtney 2; Sara 3; Lena 2; Lina 1;
        Elle 2; Lea 1; Mya 2; Leila 3; Margaret 1; Rebekah 1; Kaitlyn 1; Isobel 2; Lucie 1""",
        """Noah 40; Oliver 38; George 36; Leo 34; Arthur 33; Oscar 30; Harry 28; Archie 27;
        Jack 26; Henry 25; Charlie 25; Freddie 24; Theodore 24; Thomas 22; Finley 21; Theo 21;
        Alfie 20; Jacob 19; William 19; Isaac 18; Tommy 17; Joshua 17; Albie 16; Lucas 16;
        Max 15; Roman 15; James 15; Arlo 14; Edward 14; Ronnie 13; Mason 13; Louie 13;
        Elijah 12; Teddy 12; Reggie 12; Hugo 11; Jude 11; Ezra 11; Rory 11; Harrison 10;
        Sebastian 10; Benjamin 10; Samuel 10; Joseph 10; Alexander 10; Daniel 9; Dylan 8;
        Ethan 9; Jenson 7; Logan 7; Riley 8; Toby 8; Frankie 7; Stanley 7; Albert 7; Adam 8;
        Austin 5; Bobby 6; Caleb 5; Carter 4; Charles 4; Christopher 3; David 5; Elliot 5;
        Elliott 4; Felix 6; Finn 5; Frederick 4; Gabriel 5; Harvey 7; Hunter 4; Jake 4;
        Jasper 4; Jayden 4; Jesse 4; Jonah 4; Kai 6; Leon 4; Leonardo 5; Lewis 4; Liam 4;
        Louis 6; Luca 6; Luke 4; Matthew 4; Michael 4; Miles 5; Nathan 4; Nathaniel 3; Otis 5;
        Owen 4; Patrick 3; Reuben 5; Robert 3; Ryan 4; Sonny 6; Spencer 3; Tyler 4; Vincent 3;
        Zachary 4; Aiden 4; Aidan 2; Brody 3; Callum 3; Connor 3; Dexter 4; Ellis 4; Harley 4;
        Jamie 3; Jonathan 2; Kian 3; Kyle 2; Nicholas 2; Oakley 3; Rowan 3; Zac 2; Alex 1;
        Ollie 1; Ben 1; Jon 1; Tobias 2; Rupert 1; Barnaby 1; Cameron 2; Lenny 2; Ralph 2""",
        """Smith 120; Jones 90; Taylor 70; Brown 65; Williams 60; Wilson 50; Johnson 45;
        Davies 45; Robinson 40; Wright 40; Thompson 38; Evans 36; Walker 36; White 34;
        Roberts 33; Green 32; Hall 32; Wood 30; Jackson 30; Clarke 30; Clark 12; Harris 28;
        Lewis 27; Edwards 26; Turner 25; Hill 25; Martin 25; Cooper 24; Ward 24; Morris 23;
        Moore 23; King 23; Watson 22; Baker 22; Harrison 22; Morgan 21; Young 21; Allen 20;
        Mitchell 20; Scott 19; Phillips 19; Bennett 19; Hughes 19; Parker 18; Carter 18;
        Cook 18; Shaw 17; Richardson 17; Lee 17; Collins 16; Marshall 16; Bailey 16; Bell 16;
        Griffiths 15; Chapman 15; Adams 15; Ellis 15; Mason 14; Webb 14; Mills 14; Rogers 14;
        Fox 13; Holmes 13; Simpson 13; Atkinson 12; Barnes 12; Russell 12; Knight 12;
        Palmer 12; Lloyd 11; Hunt 11; Butler 11; Stevens 11; Jenkins 11; Pearson 11; Dixon 11;
        Fletcher 10; Stone 10; Gibson 10; Kennedy 9; Riley 9; Hudson 9; Lawrence 9; Harvey 9;
        Spencer 9; Matthews 9; Dawson 9; Armstrong 8; Barker 8; Burton 8; Chambers 8; Cole 8;
        Dean 8; Elliott 8; Ford 8; Foster 8; Gardner 8; Graham 8; Hart 8; Hayes 8; Holland 8;
        Howard 8; Jordan 7; Kemp 7; Lamb 7; Lane 7; Marsh 7; May 6; Newton 7; Owen 7; Page 7;
        Parry 7; Payne 7; Pearce 7; Porter 7; Reynolds 7; Rose 7; Saunders 7; Sharp 7;
        Slater 6; Sutton 6; Tucker 6; Wade 6; Warren 6; Watts 6; Wells 6; West 6; Wheeler 6;
        Whitehouse 4; Wilkinson 8; Woods 7; Yates 6; Ashworth 4; Ainsworth 3; Bradshaw 4;
        Broadbent 3; Cartwright 4; Hargreaves 4; Higginbottom 2; Sidebottom 2; Featherstone 3;
        Fairclough 3; Smith-Jones 2; Taylor-Brown 2; Wilson-Hall 1; Hughes-Davies 1;
        Bennett-Clarke 1; Price-Evans 1; Ward-Thomas 1; Attwood 2; Blackwell 2; Crossley 2;
        Dunn 4; Goodwin 3; Hancock 3; Hopkins 4; Kirby 3; Lowe 5; Naylor 3; Norris 3;
        Oakley 2; Pickering 2; Randall 2; Scholes 2; Thornton 3; Vickers 2; Whittaker 3""",
    ),
    "irish": (
        0.04,
        """Aoife 8; Niamh 10; Saoirse 7; Siobhán 4; Siobhan 2; Róisín 4; Roisin 2; Caoimhe 4;
        Orla 6; Ciara 6; Clodagh 3; Sinéad 3; Aisling 4; Éabha 2; Grainne 2; Erin 6; Cara 3""",
        """Seán 6; Sean 6; Ciarán 5; Cian 6; Oisín 5; Dáire 3; Darragh 5; Pádraig 2; Conor 7;
        Eoin 5; Liam 5; Fionn 5; Tadhg 3; Rían 2; Cillian 4; Ronan 3; Declan 2""",
        """Murphy 20; Kelly 18; O'Brien 15; O'Connor 12; Ryan 12; Byrne 11; O'Sullivan 10;
        Walsh 10; McCarthy 10; Doyle 9; O'Neill 9; Gallagher 8; Kennedy 7; Lynch 7; Quinn 7;
        Brennan 6; Flanagan 5; O'Reilly 6; Fitzgerald 6; Donnelly 5; McLaughlin 5; Ó Briain 1;
        MacCarthy 2; Nolan 5; Daly 5; Hegarty 3; Keane 4; Maguire 4; Duffy 4; Sheehan 3;
        Connolly 4; Joyce 3; McDonagh 3; Power 3; O'Shea 3; Mac Giolla 1; O'Donoghue 2""",
    ),
    "welsh": (
        0.025,
        """Siân 4; Sian 2; Cerys 6; Carys 4; Ffion 5; Eleri 3; Megan 5; Seren 6; Mali 5; Alaw 3;
        Elin 4; Nia 4; Catrin 4; Lowri 5; Gwen 3; Branwen 2; Erin 4; Efa 3""",
        """Rhys 6; Dylan 6; Gethin 4; Osian 5; Ioan 5; Iwan 4; Dafydd 4; Rhodri 3; Gruffydd 3;
        Cai 5; Tomos 5; Owain 4; Huw 3; Macsen 3; Emyr 2; Harri 3; Elis 3""",
        """Jones 20; Williams 15; Davies 15; Evans 10; Thomas 10; Roberts 8; Hughes 8; Lewis 8;
        Morgan 7; Griffiths 6; Price 6; Lloyd 5; Powell 4; Rees 6; Jenkins 5; Pritchard 3;
        Bowen 3; Howells 3; Llewellyn 3; ap Rhys 1; Vaughan 3; Parry 4; Prosser 2; Pugh 3""",
    ),
    "scottish": (
        0.03,
        """Isla 8; Eilidh 5; Ailsa 4; Iona 4; Skye 3; Catriona 2; Mhairi 3; Shona 2; Fiona 2;
        Kirsty 2; Orla 3; Rowan 2; Maisie 3""",
        """Callum 6; Hamish 3; Finlay 6; Angus 3; Euan 4; Ewan 3; Lachlan 4; Calum 3; Fraser 3;
        Ruaridh 2; Alasdair 2; Struan 1; Murray 2; Lewis 4""",
        """MacLeod 5; McKenzie 5; Mackenzie 3; Campbell 8; Stewart 8; Murray 6; Fraser 5; Ross 5;
        Robertson 7; Reid 6; MacDonald 6; McDonald 5; Paterson 4; Henderson 4; Sinclair 3;
        Buchanan 3; Cameron 4; Munro 3; Grant 4; Hamilton 4; McIntyre 3; Ferguson 4;
        Drummond 2; Kerr 3; McGregor 3; Urquhart 1""",
    ),
    "south_asian": (
        0.09,
        """Aisha 8; Ayesha 6; Maryam 10; Fatima 9; Fatimah 4; Zara 6; Inaya 6; Hafsa 5; Anaya 5;
        Priya 3; Simran 3; Aanya 3; Noor 5; Safa 3; Amara 3; Zainab 6; Khadija 5; Aleena 4;
        Eshal 4; Hania 3; Hareem 3; Mahnoor 3; Manahil 3; Myra 3; Kiara 3; Diya 3; Avni 2;
        Riya 3; Navya 2; Harleen 2; Jasleen 2; Gurleen 2; Sana 3; Amina 4; Sumaiya 3; Tasnim 2;
        Nusrat 2; Aleeza 2; Hiba 3; Anika 2""",
        """Muhammad 60; Mohammed 30; Mohammad 12; Ibrahim 10; Yusuf 10; Zayn 8; Ayaan 8; Arjun 6;
        Rohan 5; Aarav 6; Amir 5; Hamza 10; Ismail 6; Zakariya 5; Rayan 7; Musa 8; Ali 6;
        Umar 6; Abdullah 6; Hassan 5; Bilal 4; Haris 4; Arham 4; Zain 5; Aryan 5; Dev 3; Krish 4;
        Veer 3; Harjeet 2; Gurpreet 2; Jaskaran 2; Ranveer 2; Rehan 3; Saif 3; Talha 3; Taha 3;
        Imran 3; Shayan 3; Mustafa 5; Idris 4; Eesa 3""",
        """Khan 40; Ahmed 30; Ali 30; Hussain 28; Patel 35; Begum 6; Islam 12; Rahman 12;
        Uddin 10; Akhtar 8; Iqbal 8; Shah 10; Mahmood 8; Mahmud 3; Singh 18; Kaur 4; Sharma 6;
        Gill 6; Sandhu 5; Chowdhury 6; Choudhury 3; Miah 8; Hossain 6; Mistry 4; Parmar 4;
        Kumar 5; Malik 7; Qureshi 4; Siddiqui 4; Bibi 3; Raja 3; Bhatti 3; Aziz 3; Javed 3;
        Nawaz 3; Sheikh 4; D'Souza 2; Fernandes 2; Pillai 2; Nair 2; Reddy 2; Desai 3; Joshi 3;
        Chauhan 3; Mehta 3; Thakkar 2; Dhillon 3; Sidhu 3; Bains 2; Johal 2; Rana 2""",
    ),
    "west_african": (
        0.035,
        """Chioma 4; Adaeze 3; Ama 3; Abena 3; Temitope 3; Folake 2; Esther 4; Blessing 3;
        Precious 3; Favour 3; Ifeoma 2; Ngozi 2; Adwoa 2; Akosua 2; Efua 2; Amarachi 3;
        Chidinma 2; Ebunoluwa 2; Tolulope 2; Fatmata 2; Mariama 2; Isatu 2; Grace 3; Deborah 2;
        Comfort 1; Zion 2; Nneka 2; Oluwaseun 2; Ayomide 3; Adeola 2""",
        """Tobi 3; Oluwatobi 3; Chidi 3; Kwame 3; Kofi 3; Kwabena 2; Emeka 3; Chukwuemeka 2;
        Oluwadamilare 2; Ayodeji 3; Tunde 2; David 5; Daniel 5; Samuel 4; Joshua 4;
        Emmanuel 4; Ebuka 2; Kelechi 2; Chinedu 2; Femi 2; Olumide 2; Kojo 2; Yaw 2; Nana 2;
        Abdul 2; Mohamed 2; Alhaji 1; Idrissa 1; Mamadou 2; Joel 3; Micah 3; Oluwaseun 2""",
        """Okafor 5; Adeyemi 5; Okonkwo 4; Mensah 6; Boateng 5; Owusu 6; Adebayo 5; Eze 4;
        Nwosu 3; Asante 4; Ogunleye 3; Balogun 4; Osei 5; Oyelaran 2; Adewale 3; Akinola 3;
        Olawale 3; Obi 3; Nwachukwu 2; Danso 3; Appiah 3; Agyeman 3; Bello 3; Sesay 3;
        Kamara 4; Conteh 2; Jalloh 3; Bangura 2; Diallo 3; Ndiaye 2; Oyekanmi 1""",
    ),
    "caribbean": (
        0.025,
        """Shanice 3; Tianna 3; Kayla 3; Aaliyah 4; Nia 3; Kezia 2; Jada 3; Tiana 3; Amari 3;
        Imani 3; Zuri 2; Kiana 2; Destiny 2; Serenity 2; Jahzara 1; Naomi 3; Keisha 2""",
        """Malachi 4; Jayden 4; Tyrese 3; Jermaine 2; Kemar 2; Jahmal 2; Kai 3; Josiah 4;
        Isaiah 4; Tyrone 2; Marcus 3; Andre 2; Dante 2; Kaleb 2; Zion 3; Jaheim 2; Nathaniel 2""",
        """Campbell 6; Brown 6; Williams 5; Clarke 5; Francis 5; Grant 5; Henry 5; Thomas 4;
        Gordon 4; Bailey 4; Reid 4; Powell 3; Samuels 3; Richards 3; Forbes 3; Gayle 3;
        McKenzie 3; Blake 3; Walters 3; Wint 2; Barrett 3; Daley 3; Spence 2; Hinds 2;
        Joseph 3; St Louis 1; St. Hilaire 1; Alleyne 2; Bynoe 1""",
    ),
    "eastern_european": (
        0.045,
        """Zofia 5; Zuzanna 5; Julia 5; Maja 5; Lena 5; Hanna 4; Alicja 4; Oliwia 4; Natalia 4;
        Wiktoria 4; Amelia 4; Laura 3; Aleksandra 3; Martyna 3; Gabriela 3; Ioana 3; Maria 4;
        Bianca 3; Andreea 3; Elena 3; Daria 3; Małgorzata 1; Katarzyna 1; Agnieszka 1;
        Weronika 3; Nikola 3; Emilia 3; Ewa 2; Kamila 2; Natálie 1""",
        """Jakub 6; Antoni 5; Szymon 5; Filip 5; Kacper 4; Mikołaj 4; Wojciech 2; Łukasz 2;
        Jan 4; Aleksander 4; Franciszek 3; Adam 4; Piotr 2; Michał 3; Mateusz 3; Bartosz 2;
        Kamil 2; Andrei 4; Alexandru 4; Stefan 3; David 3; Gabriel 3; Matei 2; Luca 3;
        Darius 2; Tomasz 2; Krzysztof 1; Dominik 3; Oskar 3; Igor 2""",
        """Kowalski/Kowalska 10; Nowak 15; Wiśniewski/Wiśniewska 8; Wójcik 8;
        Lewandowski/Lewandowska 7; Zieliński/Zielińska 6; Kamiński/Kamińska 6;
        Szymański/Szymańska 5; Woźniak 5; Dąbrowski/Dąbrowska 5; Kozłowski/Kozłowska 4;
        Jankowski/Jankowska 4; Mazur 5; Krawczyk 5; Kaczmarek 4; Piotrowski/Piotrowska 4;
        Grabowski/Grabowska 3; Pawlak 3; Michalski/Michalska 3; Król 3; Wieczorek 3;
        Jabłoński/Jabłońska 3; Popescu 5; Ionescu 4; Popa 4; Dumitru 3; Stan 3; Constantin 2;
        Kazlauskas 2; Petrov/Petrova 2; Ivanov/Ivanova 2; Horváth 2; Balogh 1; Kovačević 1;
        Jovanović 1""",
    ),
    "somali": (
        0.01,
        """Hodan 3; Ayan 3; Fadumo 3; Hibo 2; Sagal 3; Ifrah 3; Khadra 2; Nasra 2; Hamdi 2;
        Ikran 2; Asha 3; Maryan 3; Sahra 3; Hafsa 3; Najma 2; Idil 2; Ladan 2; Filsan 2;
        Ubah 1; Deeqa 2""",
        """Abdirahman 4; Abdullahi 4; Mohamed 6; Liban 3; Guled 2; Hamza 3; Mustafe 2; Bilal 3;
        Abdirizak 2; Abdikarim 2; Ayub 2; Yahye 2; Zakaria 2; Khalid 3; Said 2; Yasin 3;
        Hamse 2; Sharmarke 1""",
        """Mohamed 8; Abdi 6; Hassan 6; Ali 5; Omar 5; Ahmed 5; Farah 5; Hussein 4; Warsame 3;
        Yusuf 4; Abdullahi 4; Osman 3; Jama 3; Nur 3; Aden 3; Ibrahim 3; Ismail 3; Egal 2;
        Dirie 2; Samatar 2; Guled 2; Hirsi 2; Elmi 2""",
    ),
    "chinese": (
        0.015,
        """Mei 3; Ling 3; Yan 2; Jia 2; Xinyi 2; Yuxin 2; Zihan 2; Hui 1; Chloe 3; Jasmine 3;
        Grace 2; Angel 2; Joy 2; Anh 2; Linh 2; Thao 1; Mai 2""",
        """Wei 3; Jun 3; Hao 2; Yu 2; Ethan 4; Kevin 2; Ryan 3; Zihao 2; Haoran 2; Yichen 2;
        Jason 2; Tony 1; Minh 2; Duc 1; Bao 2; Kai 2""",
        """Chen 6; Wang 6; Li 6; Zhang 5; Liu 5; Wong 5; Lee 4; Chan 5; Cheung 3; Lam 3; Ng 3;
        Ho 3; Yang 3; Huang 3; Zhao 2; Wu 3; Zhou 2; Xu 2; Sun 2; Ma 2; Lin 3; Tang 2;
        Leung 2; Yip 2; Chow 2; Tsang 2; Nguyen 5; Tran 3; Pham 2; Le 2""",
    ),
    "arabic": (
        0.015,
        """Layla 4; Noor 3; Yasmin 4; Leila 3; Rania 2; Amira 3; Mariam 3; Lina 3; Salma 2;
        Jana 2; Hala 2; Dana 2; Rahaf 2; Sara 3; Malak 2; Jouri 1; Tala 2; Sidra 2; Huda 2""",
        """Omar 5; Yusuf 4; Adam 4; Karim 3; Tariq 2; Ahmad 3; Mahmoud 2; Khaled 2; Yousef 3;
        Hamza 3; Ali 3; Zaid 2; Majid 2; Anas 2; Kareem 2; Samir 2; Nabil 1; Rami 2; Faris 2""",
        """Al-Hassan 3; Al-Sayed 3; Haddad 3; Khalil 3; Mansour 3; Nasser 3; Saleh 3; El-Amin 2;
        Darwish 2; Hamdan 2; Abdallah 3; Al-Amin 2; El-Sayed 2; Hamid 3; Jaber 2; Karam 2;
        Saeed 3; Yousef 2; Al-Khatib 2; Aboud 2; Naji 2; Qasim 2; Rashid 3; Sabri 2; Zaki 2""",
    ),
    "turkish": (
        0.01,
        """Elif 4; Zeynep 4; Defne 3; Ece 3; Ayşe 2; Eylül 2; Azra 3; Nehir 2; Ela 3; Zehra 2;
        Hira 2; Melek 2; Sude 2; Berra 2; Rojda 1; Dilan 2; Berfin 2""",
        """Emre 3; Mehmet 3; Yusuf 3; Ömer 3; Burak 2; Kerem 3; Deniz 3; Mustafa 3; Ahmet 2;
        Efe 3; Eymen 2; Miraç 1; Baran 2; Berat 2; Kaan 2; Arda 3; Çınar 1""",
        """Yılmaz 4; Yilmaz 3; Kaya 4; Demir 4; Şahin 3; Sahin 1; Çelik 3; Öztürk 3; Aydın 3;
        Arslan 3; Doğan 3; Kılıç 2; Aslan 2; Çetin 2; Koç 2; Kurt 2; Özdemir 2; Polat 2;
        Güneş 2; Aksoy 2; Bozkurt 2; Korkmaz 2""",
    ),
    "other_european": (
        0.03,
        """Renée 2; Chloé 3; Zoë 3; Léa 3; Inès 2; Inês 2; Beatriz 3; Sofia 4; Giulia 3;
        Chiara 3; Francesca 2; Élodie 2; Astrid 2; Ingrid 1; Freja 2; Sofía 2; Lucía 3; Emma 4;
        Anaïs 2; Maëlle 1; Noémie 2; Matilde 2; Leonor 2; Carolina 2; Ana 3; Mariana 3;
        Hélène 1; Saskia 2; Lotte 2; Annika 2""",
        """José 3; Björn 2; Mateus 2; João 3; Matteo 4; Luca 4; Lorenzo 3; Hugo 3; Léo 3;
        Mathéo 2; Théo 2; Gonçalo 2; Tiago 3; Rodrigo 2; Diego 2; Javier 2; Pablo 2; Álvaro 2;
        Lars 1; Anders 1; Sven 1; Lukas 3; Jonas 2; Niklas 1; Ruben 2; Daan 1; Sem 1;
        Mathis 2; Raphaël 2; Noé 1""",
        """Silva 5; Santos 5; Ferreira 4; Pereira 4; Oliveira 3; Costa 4; Rodrigues 4;
        Martins 3; Gomes 3; Rossi 3; Russo 2; Bianchi 2; Romano 2; Esposito 2; Dubois 2;
        Bernard 2; Moreau 2; Lefèvre 2; Müller 3; Schmidt 2; Schneider 2; Fischer 2; Weber 2;
        Nilsson 2; Lindqvist 1; Johansson 2; Andersson 2; García 3; Fernández 2; López 2;
        Martínez 2; Sánchez 2; Núñez 1; De Souza 2; Van der Berg 1; van Dijk 1; De Jong 1""",
    ),
}

# Given names of the parents' generation for British households (others reuse child tables).
BRITISH_WOMEN: Final = """Sarah 9; Emma 9; Laura 8; Claire 7; Rebecca 7; Gemma 7; Lisa 6; Nicola 6;
    Rachel 6; Amy 7; Kelly 5; Hannah 6; Charlotte 6; Louise 6; Victoria 5; Stacey 4;
    Jennifer 4; Michelle 5; Kirsty 4; Joanne 4; Natalie 5; Leanne 4; Samantha 5; Danielle 4;
    Katie 5; Hayley 4; Jade 4; Lauren 5; Zoe 4; Stephanie 4; Helen 4; Catherine 3"""
BRITISH_MEN: Final = """David 8; Paul 7; Mark 7; Andrew 7; James 8; Daniel 7; Richard 6; Matthew 7;
    Christopher 6; Michael 7; Stephen 5; Lee 5; Craig 4; Darren 4; Jamie 4; Adam 5; Thomas 5;
    Ben 4; Robert 5; Gareth 3; Scott 4; Ryan 4; Dean 3; Carl 3; Simon 4; Wayne 3; Martin 3;
    Anthony 4; Jonathan 4; Luke 4; Neil 3; Gavin 3"""
